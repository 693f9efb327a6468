"""A hand-written set of citizens' questions for grouping repeated questions by meaning (not the demo's texts).

Each group is one question asked in many citizens' own words; the look-alikes share words or a
place with a group but ask something else, and must never join it.
"""

from __future__ import annotations

TRADE_RENEWAL = [
    "Where can I renew my trade licence?",
    "how to renew trade license",
    "trade licence renewal office?",
    "Which office handles the renewal of trade licences?",
    "My trade licence expires next week, where do I go to renew it?",
    "What is the process for renewing a trade licence?",
    "how do i get my trade license renewed",
    "trade license renew where??",
    "Is there a counter for trade licence renewal at the Thromde office?",
    "renewal of trade licence - which building?",
    "Where should I go to renew my shop's trade licence?",
    "Can someone tell me how to renew a trade license please",
]
GARBAGE_DAYS = [
    "When is garbage collected in Changzamtog?",
    "what day does the waste truck come to changzamtog",
    "Garbage pickup schedule for Changzamtog?",
    "Which days is waste collection in Changzamtog?",
    "When does the rubbish truck come to our area in Changzamtog?",
    "changzamtog garbage collection days?",
    "What time does the garbage vehicle reach Changzamtog?",
    "Is waste picked up on Sundays in Changzamtog?",
    "How often is trash collected in Changzamtog?",
    "when will they collect the garbage in changzamtog this week",
    "Can you share the waste collection timetable for Changzamtog?",
]
BUILDING_PERMIT_DOCUMENTS = [
    "What documents do I need for a building permit?",
    "building permit required documents?",
    "Which papers must I submit to apply for a building permit?",
    "what do i need to bring for a construction permit application",
    "Documents needed for a house construction approval?",
    "What is the checklist of documents for a building permit?",
    "For a building permit, which documents are required?",
    "Do I need a land ownership certificate for the building permit application?",
    "what forms are needed to get permission to build a house",
    "Could you list the documents for building approval please?",
]
# Questions that look like a group's but ask something else: asked often too, as their own questions.
DRIVING_RENEWAL = [
    "Where can I renew my driving licence?",
    "how to renew driving license",
    "driving licence renewal office?",
    "Which office renews driving licences?",
    "My driving licence has expired, where do I renew it?",
    "What is the process for renewing a driving licence?",
    "how do i get my driving license renewed",
    "driving license renew where??",
    "Is the RSTA office the place to renew a driving licence?",
    "renewal of driving licence - which office?",
]
WATER_CUTS = [
    "When is the water supply cut in Changzamtog?",
    "what time will the water come back in changzamtog",
    "Why is there no water in Changzamtog today?",
    "Water supply schedule for Changzamtog?",
    "When will the water be restored in Changzamtog?",
    "Is the water cut in Changzamtog planned this week?",
    "how long will changzamtog be without water",
    "Changzamtog water cut until when?",
    "Who do I call about no water in Changzamtog?",
    "When does the water supply resume in Changzamtog?",
]
# Asked once or twice: not frequent, whatever they resemble.
SINGLE = [
    "Where can I apply for a new trade licence?",
    "How much does a trade licence cost?",
    "When is the next Thromde election?",
    "Who do I contact about a stray dog in Motithang?",
    "Where do I pay the property tax?",
    "What documents do I need for a passport?",
]
# Statements about the same topics: not questions, so never a frequent question.
STATEMENTS = [
    "The garbage truck did not come to Changzamtog this week.",
    "Thank you for renewing my trade licence so quickly.",
    "The building permit office was closed at 2 pm, very inconvenient.",
]
GROUPS = {
    "trade_renewal": TRADE_RENEWAL,
    "garbage_days": GARBAGE_DAYS,
    "building_permit_documents": BUILDING_PERMIT_DOCUMENTS,
    "driving_renewal": DRIVING_RENEWAL,
    "water_cuts": WATER_CUTS,
}
