"""The state (or, abroad, the country) of a cluster's locations: how far a network spreads.

Locations reach the cluster tables as the gazetteer's canonical names (features/places.tsv).
The gazetteer knows each place's country and kind but not which Indian state a city lies in,
so this module names it for the gazetteer's Indian cities and areas. A place it does not know
counts as a city and adds no state: a spread is never assumed from a name we cannot place.
Shown by ``trafficscan clusters``; deliberately not a score indicator (docs/clusters.md).
"""

from __future__ import annotations

from functools import lru_cache

#: State or union territory of each Indian city and area in the gazetteer.
CITY_STATE = {
    "Chandigarh": "Chandigarh",
    "Mumbai": "Maharashtra",
    "Kolkata": "West Bengal",
    "Chennai": "Tamil Nadu",
    "Bengaluru": "Karnataka",
    "Hyderabad": "Telangana",
    "Pune": "Maharashtra",
    "Ahmedabad": "Gujarat",
    "Surat": "Gujarat",
    "Jaipur": "Rajasthan",
    "Lucknow": "Uttar Pradesh",
    "Kanpur": "Uttar Pradesh",
    "Nagpur": "Maharashtra",
    "Indore": "Madhya Pradesh",
    "Bhopal": "Madhya Pradesh",
    "Patna": "Bihar",
    "Muzaffarpur": "Bihar",
    "Ranchi": "Jharkhand",
    "Jamshedpur": "Jharkhand",
    "Dhanbad": "Jharkhand",
    "Raipur": "Chhattisgarh",
    "Bhubaneswar": "Odisha",
    "Cuttack": "Odisha",
    "Guwahati": "Assam",
    "Shillong": "Meghalaya",
    "Siliguri": "West Bengal",
    "Darjeeling": "West Bengal",
    "Jalpaiguri": "West Bengal",
    "Cooch Behar": "West Bengal",
    "Malda": "West Bengal",
    "Murshidabad": "West Bengal",
    "South 24 Parganas": "West Bengal",
    "Sundarbans": "West Bengal",
    "Sonagachi": "West Bengal",
    "Kamathipura": "Maharashtra",
    "GB Road": "Delhi",
    "Budhwar Peth": "Maharashtra",
    "Panaji": "Goa",
    "Kochi": "Kerala",
    "Thiruvananthapuram": "Kerala",
    "Amritsar": "Punjab",
    "Ludhiana": "Punjab",
    "Dehradun": "Uttarakhand",
    "Varanasi": "Uttar Pradesh",
    "Agra": "Uttar Pradesh",
    "Meerut": "Uttar Pradesh",
    "Ghaziabad": "Uttar Pradesh",
    "Noida": "Uttar Pradesh",
    "Gurugram": "Haryana",
    "Faridabad": "Haryana",
    "Visakhapatnam": "Andhra Pradesh",
    "Vijayawada": "Andhra Pradesh",
    "Mangaluru": "Karnataka",
    "Mysuru": "Karnataka",
    "Coimbatore": "Tamil Nadu",
    "Madurai": "Tamil Nadu",
    "Nashik": "Maharashtra",
    "Thane": "Maharashtra",
    "Vadodara": "Gujarat",
    "Rajkot": "Gujarat",
    "Jodhpur": "Rajasthan",
    "Udaipur": "Rajasthan",
    "Ajmer": "Rajasthan",
    "Gwalior": "Madhya Pradesh",
    "Jabalpur": "Madhya Pradesh",
    "Aurangabad": "Maharashtra",
    "Srinagar": "Jammu and Kashmir",
    "Jammu": "Jammu and Kashmir",
    "Imphal": "Manipur",
    "Aizawl": "Mizoram",
    "Agartala": "Tripura",
    "Kohima": "Nagaland",
    "Itanagar": "Arunachal Pradesh",
    "Gangtok": "Sikkim",
    "Dimapur": "Nagaland",
    "Raxaul": "Bihar",
    "Motihari": "Bihar",
    "Sitamarhi": "Bihar",
    "Kishanganj": "Bihar",
    "Purnia": "Bihar",
    "Araria": "Bihar",
    "Moreh": "Manipur",
    "Petrapole": "West Bengal",
}


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    """Canonical place name → its state (Indian places) or country (foreign places)."""
    from trafficscan.features.places import load_gazetteer

    places = {p.name: p for p in load_gazetteer().values()}
    countries = {p.country: p.name for p in places.values() if p.kind == "country"}
    out: dict[str, str] = {}
    for name, place in places.items():
        if place.country != "IN":
            out[name] = name if place.kind == "region" else countries.get(place.country, name)
        elif place.kind == "state":
            out[name] = name
        elif name in CITY_STATE:
            out[name] = CITY_STATE[name]
    return out


def state_of(location: str) -> str | None:
    """The state (India) or country (abroad) of a canonical place name; None if unknown."""
    return _regions().get(location)
