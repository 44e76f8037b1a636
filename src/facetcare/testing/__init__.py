from facetcare.testing._journeys import journeys, next_events, referrals
from facetcare.testing._strategies import aware_datetimes, events, lesions, pain_entries, targets
