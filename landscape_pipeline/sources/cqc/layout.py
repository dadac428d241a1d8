"""Column layout of CQC's monthly "HSCA Active Locations" sheet (care directory with ratings).

The 119 columns in order, as mirrored by DHSC's analytical datastore (repository madetech/dhsc-alpha-data,
``sql/Analytical_Datastore/CQC/Tables/active_locations_staging.sql``): 61 location/provider columns, then one
Y/blank column per regulated activity, service type and service user band. Newer releases rename CCG
columns to ICB ones; the reader matches only the columns it needs, by name.
"""

from __future__ import annotations

BASE_COLUMNS: tuple[str, ...] = (
    "Location ID", "Location HSCA start date", "Dormant (Y/N)", "Care home?", "Location Name", "Location ODS Code",
    "Location Telephone Number", "Registered manager", "Location Web Address", "Care homes beds",
    "Location Type/Sector", "Location Inspection Directorate", "Location Primary Inspection Category",
    "Location Latest Overall Rating", "Publication Date", "Inherited Rating (Y/N)", "Location Region",
    "Location NHS Region", "Location Local Authority", "Location ONSPD CCG Code", "Location ONSPD CCG",
    "Location Commissioning CCG Code", "Location Commissioning CCG", "Location Street Address",
    "Location Address Line 2", "Location City", "Location County", "Location Postal Code", "Location PAF ID",
    "Location UPRN ID", "Location Latitude", "Location Longitude", "Location Parliamentary Constituency", "Brand ID",
    "Brand Name", "Provider Companies House Number", "Provider Charity Number", "Provider ID", "Provider Name",
    "Provider HSCA start date", "Provider Type/Sector", "Provider Inspection Directorate",
    "Provider Primary Inspection Category", "Provider Ownership Type", "Provider Telephone Number",
    "Provider Web Address", "Provider Street Address", "Provider Address Line 2", "Provider City", "Provider County",
    "Provider Postal Code", "Provider PAF ID", "Provider UPRN ID", "Provider Local Authority", "Provider Region",
    "Provider NHS Region", "Provider Latitude", "Provider Longitude", "Provider Parliamentary Constituency",
    "Provider Nominated Individual Name", "Provider Main Partner Name",
)
REGULATED_ACTIVITIES: tuple[str, ...] = (
    "Accommodation for persons who require nursing or personal care",
    "Accommodation for persons who require treatment for substance misuse",
    "Assessment or medical treatment for persons detained under the Mental Health Act 1983",
    "Diagnostic and screening procedures", "Family planning",
    "Management of supply of blood and blood derived products", "Maternity and midwifery services", "Nursing care",
    "Personal care", "Services in slimming clinics", "Surgical procedures", "Termination of pregnancies",
    "Transport services, triage and medical advice provided remotely", "Treatment of disease, disorder or injury",
)
SERVICE_TYPES: tuple[str, ...] = (
    "Acute services with overnight beds",
    "Acute services without overnight beds / listed acute services with or without overnight beds",
    "Ambulance service", "Blood and Transplant service", "Care home service with nursing",
    "Care home service without nursing", "Community based services for people who misuse substances",
    "Community based services for people with a learning disability",
    "Community based services for people with mental health needs",
    "Community health care services - Nurses Agency only", "Community healthcare service", "Dental service",
    "Diagnostic and/or screening service", "Diagnostic and/or screening service - single handed sessional providers",
    "Doctors consultation service", "Doctors treatment service", "Domiciliary care service",
    "Extra Care housing services", "Hospice services", "Hospice services at home",
    "Hospital services for people with mental health needs, learning disabilities and problems with substance misuse",
    "Hyperbaric Chamber", "Long term conditions services", "Mobile doctors service", "Prison Healthcare Services",
    "Rehabilitation services", "Remote clinical advice service",
    "Residential substance misuse treatment and/or rehabilitation service", "Shared Lives",
    "Specialist college service", "Supported living service", "Urgent care services",
)
SERVICE_USER_BANDS: tuple[str, ...] = (
    "Children 0-18 years", "Dementia", "Learning disabilities or autistic spectrum disorder", "Mental Health",
    "Older People", "People detained under the Mental Health Act", "People who misuse drugs and alcohol",
    "People with an eating disorder", "Physical Disability", "Sensory Impairment", "Whole Population",
    "Younger Adults",
)


def header() -> list[str]:
    """Return the full header of the sheet, in order."""
    return [*BASE_COLUMNS, *(f"Regulated activity - {a}" for a in REGULATED_ACTIVITIES),
            *(f"Service type - {s}" for s in SERVICE_TYPES), *(f"Service user band - {b}" for b in SERVICE_USER_BANDS)]
