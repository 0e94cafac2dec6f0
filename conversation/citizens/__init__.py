"""What the bot keeps about a citizen who asked it to (issue 17): consents, a profile, journey progress,
saved services, reminders, and which conversations (LINE, web) are one citizen.

Nothing here is written without the citizen's consent (conversation/citizens/consents.py); all of it is
exported, erased on request ("ลบข้อมูลของฉัน") and dropped after the retention setting (gateway/privacy.py).
"""
