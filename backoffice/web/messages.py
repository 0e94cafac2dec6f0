"""Every label of the back-office pages, in Thai and English (a page shows the language the person picked).

Staff texts, not citizens' (those live in ``texts/``). ``label(key, lang)`` never fails on a page: an
unknown key shows itself, so a missing label is visible in a screenshot rather than a crash.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGUAGES", "label"]

LANGUAGES = ("th", "en")

# key: (English, Thai)
_LABELS: dict[str, tuple[str, str]] = {
    "app.name": ("Citizen assistant back office", "ระบบหลังบ้านผู้ช่วยบริการประชาชน"),
    "nav.catalogue": ("Services", "บริการ"),
    "nav.drafts": ("Drafts and review", "ฉบับร่างและการตรวจ"),
    "nav.analytics": ("Analytics", "สถิติการใช้งาน"),
    "nav.main": ("Main menu", "เมนูหลัก"),
    "nav.skip": ("Skip to content", "ข้ามไปยังเนื้อหา"),
    "lang.switch": ("ภาษาไทย", "English"),
    "lang.switch_label": ("Switch the pages to Thai", "เปลี่ยนหน้าเป็นภาษาอังกฤษ"),
    "account.signed_in_as": ("Signed in as", "เข้าสู่ระบบในชื่อ"),
    "account.role": ("Role", "บทบาท"),
    "role.admin": ("Administrator", "ผู้ดูแลระบบ"),
    "role.editor": ("Editor", "ผู้แก้ไขเนื้อหา"),
    "role.reviewer": ("Reviewer", "ผู้ตรวจและเผยแพร่"),
    "role.agent": ("Agent", "เจ้าหน้าที่ตอบแชต"),
    "role.analyst": ("Analyst", "นักวิเคราะห์ข้อมูล"),
    "sign_out": ("Sign out", "ออกจากระบบ"),
    "sign_in.title": ("Sign in", "เข้าสู่ระบบ"),
    "sign_in.intro": (
        "Staff of the agency sign in with the account an administrator gave them.",
        "เจ้าหน้าที่ของหน่วยงานเข้าสู่ระบบด้วยบัญชีที่ผู้ดูแลระบบสร้างให้",
    ),
    "sign_in.name": ("Account name", "ชื่อบัญชี"),
    "sign_in.password": ("Password", "รหัสผ่าน"),
    "sign_in.submit": ("Sign in", "เข้าสู่ระบบ"),
    "sign_in.missing": ("Enter your account name and password.", "กรุณากรอกชื่อบัญชีและรหัสผ่าน"),
    "sign_in.expired_form": (
        "The sign-in form expired. Please try again.",
        "แบบฟอร์มเข้าสู่ระบบหมดอายุแล้ว กรุณาลองใหม่อีกครั้ง",
    ),
    "sign_in.too_many": (
        "Too many sign-in attempts from this address. Please wait about {seconds} seconds and try again.",
        "มีการพยายามเข้าสู่ระบบจากที่อยู่นี้บ่อยเกินไป กรุณารอประมาณ {seconds} วินาทีแล้วลองใหม่",
    ),
    "signed_out": ("You have signed out.", "คุณออกจากระบบแล้ว"),
    "error.title": ("There is a problem", "มีปัญหาที่ต้องแก้ไข"),
    "error.forbidden": (
        "Your role may not open this page or do this.",
        "บทบาทของคุณเปิดหน้านี้หรือทำรายการนี้ไม่ได้",
    ),
    "error.not_found": ("There is no such service or draft.", "ไม่พบบริการหรือฉบับร่างนี้"),
    "error.csrf": (
        "The form expired or did not come from this site. Reload the page and try again.",
        "แบบฟอร์มหมดอายุหรือไม่ได้ส่งจากเว็บไซต์นี้ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
    ),
    "error.too_large": (
        "The form is too large to send (over {size}); nothing was saved. Go back, shorten the longest "
        "texts, or import the services in smaller parts.",
        "แบบฟอร์มมีขนาดใหญ่เกินกว่าจะส่งได้ (เกิน {size}) จึงยังไม่ได้บันทึก กรุณาย้อนกลับไปย่อข้อความที่ยาวที่สุด หรือแบ่งนำเข้าบริการเป็นชุดเล็กลง",
    ),
    "error.loading": (
        "The catalogue is still loading. Try again in a minute.",
        "ระบบกำลังโหลดรายการบริการ กรุณาลองใหม่ในอีกสักครู่",
    ),
    # the catalogue list
    "catalogue.title": ("Services in the catalogue", "บริการในระบบ"),
    "catalogue.search": ("Search title, agency or keyword", "ค้นหาชื่อบริการ หน่วยงาน หรือคำสำคัญ"),
    "catalogue.life_event": ("Life event", "เหตุการณ์ในชีวิต"),
    "catalogue.agency": ("Agency", "หน่วยงาน"),
    "catalogue.any": ("Any", "ทั้งหมด"),
    "catalogue.to_verify": ("Only services with facts still to verify", "เฉพาะบริการที่ยังมีข้อมูลรอตรวจสอบ"),
    "catalogue.older_than": ("Last reviewed more than N days ago", "ตรวจทานล่าสุดเกิน N วันที่แล้ว"),
    "catalogue.filter": ("Show", "แสดงผล"),
    "catalogue.count": ("{count} of {total} services", "{count} จาก {total} บริการ"),
    "catalogue.service": ("Service", "บริการ"),
    "catalogue.version": ("Version", "ฉบับที่"),
    "catalogue.last_reviewed": ("Last reviewed", "ตรวจทานล่าสุด"),
    "catalogue.never": ("Never", "ยังไม่เคย"),
    "catalogue.pending": ("To verify", "รอตรวจสอบ"),
    "catalogue.open_draft": ("Open draft", "ฉบับร่างที่เปิดอยู่"),
    "catalogue.edit": ("Edit", "แก้ไข"),
    "catalogue.history": ("History", "ประวัติ"),
    "catalogue.none": ("No service matches these filters.", "ไม่มีบริการที่ตรงกับตัวกรองนี้"),
    "catalogue.export": ("Export the catalogue (YAML)", "ส่งออกรายการบริการ (YAML)"),
    "catalogue.import": ("Import services", "นำเข้าบริการ"),
    "catalogue.import_help": (
        "Paste a YAML or JSON list of services, or choose a file. All or nothing: "
        "one invalid service stops the import.",
        "วางรายการบริการแบบ YAML หรือ JSON หรือเลือกไฟล์ หากมีบริการใดไม่ถูกต้อง จะไม่นำเข้าเลยทั้งชุด",
    ),
    "catalogue.import_text": ("Services to import", "ข้อมูลบริการที่จะนำเข้า"),
    "catalogue.import_file": ("Or read a file", "หรืออ่านจากไฟล์"),
    "catalogue.import_submit": ("Import", "นำเข้า"),
    "catalogue.imported": (
        "Imported: {created} new, {updated} updated.",
        "นำเข้าแล้ว: ใหม่ {created} รายการ ปรับปรุง {updated} รายการ",
    ),
    "catalogue.import_invalid": (
        "The catalogue is not valid; nothing was imported.",
        "ข้อมูลไม่ถูกต้อง จึงไม่ได้นำเข้าข้อมูลใดเลย",
    ),
    # the edit form
    "edit.title": ("Edit: {title}", "แก้ไข: {title}"),
    "edit.live_version": ("Live version {version}", "ฉบับที่เผยแพร่อยู่: {version}"),
    "edit.draft_state": (
        "Draft #{id} (draft version {version}), state: {state}",
        "ฉบับร่าง #{id} (รุ่นที่ {version}) สถานะ: {state}",
    ),
    "edit.no_draft": (
        "Saving creates a draft. Citizens see it only after a reviewer publishes it.",
        "เมื่อบันทึกจะได้ฉบับร่าง ประชาชนจะเห็นเมื่อผู้ตรวจเผยแพร่แล้วเท่านั้น",
    ),
    "edit.thai": ("Thai", "ภาษาไทย"),
    "edit.english": ("English", "ภาษาอังกฤษ"),
    "edit.one_per_line": ("One per line", "บรรทัดละหนึ่งรายการ"),
    "edit.save": ("Save draft", "บันทึกฉบับร่าง"),
    "edit.saved": ("Draft saved.", "บันทึกฉบับร่างแล้ว"),
    "edit.submit": ("Send for review", "ส่งให้ผู้ตรวจ"),
    "edit.submitted": ("Sent for review.", "ส่งให้ผู้ตรวจแล้ว"),
    "edit.publish": ("Publish", "เผยแพร่"),
    "edit.published": ("Published: live version {version}.", "เผยแพร่แล้ว: ฉบับที่ {version}"),
    "edit.discard": ("Discard draft", "ยกเลิกฉบับร่าง"),
    "edit.discarded": ("Draft discarded.", "ยกเลิกฉบับร่างแล้ว"),
    "edit.return": ("Return to the editor", "ส่งกลับให้ผู้แก้ไข"),
    "edit.return_comment": ("What should change", "สิ่งที่ควรแก้ไข"),
    "edit.returned": ("Returned to the editor.", "ส่งกลับให้ผู้แก้ไขแล้ว"),
    "edit.review_comment": ("Reviewer's comment", "ความเห็นของผู้ตรวจ"),
    "edit.diff": ("Changes against the live version", "สิ่งที่เปลี่ยนจากฉบับที่เผยแพร่"),
    "edit.invalid": ("Some fields need fixing; nothing was saved.", "มีช่องที่ต้องแก้ไข จึงยังไม่ได้บันทึก"),
    "edit.lists_match": (
        "Thai and English need the same number of lines ({th} and {en}).",
        "ภาษาไทยและภาษาอังกฤษต้องมีจำนวนบรรทัดเท่ากัน (ตอนนี้ {th} และ {en})",
    ),
    "edit.required": ("This field is required.", "ต้องกรอกช่องนี้"),
    "edit.bad_date": ("Write the date as YYYY-MM-DD.", "กรุณาเขียนวันที่เป็น ปปปป-ดด-วว (ค.ศ.)"),
    "edit.pick_event": ("Pick at least one life event.", "กรุณาเลือกเหตุการณ์ในชีวิตอย่างน้อยหนึ่งรายการ"),
    "edit.conflict_draft_exists": (
        "Another editor started a draft of this service while you were editing. Nothing of yours was saved: "
        "reload the page to see their draft, then make your change again.",
        "มีผู้แก้ไขคนอื่นเริ่มฉบับร่างของบริการนี้ระหว่างที่คุณแก้ไข จึงยังไม่ได้บันทึกของคุณ กรุณาโหลดหน้าใหม่เพื่อดูฉบับร่างนั้น แล้วแก้ไขอีกครั้ง",
    ),
    "edit.preview": ("Preview: ask the draft a question", "ทดลองถามฉบับร่าง"),
    "edit.preview_question": ("A citizen's question", "คำถามของประชาชน"),
    "edit.preview_submit": ("Ask", "ถาม"),
    "edit.preview_rank": ("The draft ranks {rank} for this question.", "ฉบับร่างอยู่อันดับที่ {rank} สำหรับคำถามนี้"),
    "edit.preview_missing": (
        "The draft is not among the top answers for this question: add it as an example question or keyword.",
        "ฉบับร่างไม่อยู่ในคำตอบอันดับต้น ๆ ของคำถามนี้ ลองเพิ่มเป็นตัวอย่างคำถามหรือคำสำคัญ",
    ),
    "edit.preview_card": ("The answer citizens would get", "คำตอบที่ประชาชนจะได้รับ"),
    "edit.bad_url": (
        "Write the full web address, starting with https://",
        "กรุณาใส่ที่อยู่เว็บให้ครบ ขึ้นต้นด้วย https://",
    ),
    "edit.bad_number": ("Write a number, e.g. 13.7563.", "กรุณาใส่ตัวเลข เช่น 13.7563"),
    "edit.bad_coordinate": (
        "Latitude is between -90 and 90, longitude between -180 and 180.",
        "ละติจูดต้องอยู่ระหว่าง -90 ถึง 90 และลองจิจูดระหว่าง -180 ถึง 180",
    ),
    "edit.pick_one": ("Choose one of the options.", "กรุณาเลือกหนึ่งตัวเลือก"),
    "edit.future_date": ("This date is in the future.", "วันที่นี้ยังมาไม่ถึง"),
    "edit.fact_needs_source": (
        "A checked fact needs the web address of the page or document that states it. "
        "If nobody has read the source yet, mark the fact “to verify”.",
        "ข้อมูลที่ตรวจสอบแล้วต้องมีที่อยู่เว็บของหน้าหรือเอกสารที่ระบุข้อมูลนี้ หากยังไม่มีใครอ่านแหล่งที่มา ให้ทำเครื่องหมายว่า “รอตรวจสอบ”",
    ),
    "edit.fact_needs_checked": (
        "A checked fact needs the day someone compared it with the source.",
        "ข้อมูลที่ตรวจสอบแล้วต้องมีวันที่ที่เทียบกับแหล่งที่มา",
    ),
    "edit.fact_unverified_checked": (
        "A fact still to verify has no check date. If someone compared it with the source, mark it checked.",
        "ข้อมูลที่รอตรวจสอบต้องไม่มีวันที่ตรวจ หากเทียบกับแหล่งที่มาแล้ว ให้เลือกว่า “ตรวจสอบแล้ว”",
    ),
    "edit.reviewed_unverified": (
        "No fact is checked yet: leave the review date empty until one is.",
        "ยังไม่มีข้อมูลใดที่ตรวจสอบแล้ว กรุณาเว้นวันที่ตรวจทานไว้จนกว่าจะตรวจสอบอย่างน้อยหนึ่งรายการ",
    ),
    "edit.reviewed_after_checks": (
        "The review date is later than the latest check of a fact: use the day the facts were checked.",
        "วันที่ตรวจทานช้ากว่าวันที่ตรวจข้อมูลล่าสุด กรุณาใช้วันที่ที่ตรวจสอบข้อมูลจริง",
    ),
    "edit.bad_id": (
        "Use lower-case English letters, digits and hyphens, e.g. passport-renewal.",
        "ใช้ตัวอักษรภาษาอังกฤษตัวพิมพ์เล็ก ตัวเลข และขีดกลาง เช่น passport-renewal",
    ),
    "edit.id_taken": (
        "A service or an open draft already has this id: choose another one, or edit that service.",
        "มีบริการหรือฉบับร่างที่ใช้รหัสนี้อยู่แล้ว กรุณาเลือกรหัสอื่น หรือแก้ไขบริการนั้นแทน",
    ),
    "edit.comment_required": (
        "Say what the editor should change before returning the draft.",
        "กรุณาระบุสิ่งที่ผู้แก้ไขควรแก้ ก่อนส่งฉบับร่างกลับ",
    ),
    "edit.row_changed": (
        "Rows updated; nothing is saved until you save the draft.",
        "ปรับรายการแล้ว ยังไม่ได้บันทึกจนกว่าจะกดบันทึกฉบับร่าง",
    ),
    "edit.not_live": (
        "A new service: citizens see it only after a reviewer publishes this draft.",
        "บริการใหม่ ประชาชนจะเห็นเมื่อผู้ตรวจเผยแพร่ฉบับร่างนี้แล้วเท่านั้น",
    ),
    "edit.behind_live": (
        "The live service changed after this draft was started (draft from version {base}, live now "
        "version {live}), so it cannot be published as it is. Check the changes below: they are against the "
        "live version now. Then bring the draft up to date and send it for review again.",
        "บริการที่เผยแพร่อยู่ถูกแก้ไขหลังจากเริ่มฉบับร่างนี้ (ฉบับร่างเริ่มจากฉบับที่ {base} ตอนนี้เผยแพร่ฉบับที่ "
        "{live}) จึงยังเผยแพร่ฉบับร่างนี้ไม่ได้ กรุณาตรวจสิ่งที่เปลี่ยนด้านล่าง ซึ่งเทียบกับฉบับที่เผยแพร่อยู่ตอนนี้ "
        "แล้วปรับฉบับร่างให้ตั้งต้นจากฉบับปัจจุบัน และส่งให้ผู้ตรวจอีกครั้ง",
    ),
    "edit.rebase": ("Bring the draft up to date", "ปรับฉบับร่างให้ตั้งต้นจากฉบับปัจจุบัน"),
    "edit.rebased": (
        "The draft now starts from the live version. Check it, then send it for review again.",
        "ฉบับร่างตั้งต้นจากฉบับที่เผยแพร่อยู่แล้ว กรุณาตรวจอีกครั้ง แล้วส่งให้ผู้ตรวจ",
    ),
    "edit.add_row": ("Add another", "เพิ่มอีกรายการ"),
    "edit.remove_row": ("Remove", "ลบรายการนี้"),
    "edit.remove_label": ("Remove {what} {number}", "ลบ{what}รายการที่ {number}"),
    "edit.row": ("{what} {number}", "{what} รายการที่ {number}"),
    "edit.choose": ("Choose…", "เลือก…"),
    "edit.optional": ("optional", "ไม่บังคับ"),
    "new.title": ("New service", "เพิ่มบริการใหม่"),
    "new.link": ("Add a new service", "เพิ่มบริการใหม่"),
    "new.intro": (
        "Write the service in Thai and English. Saving creates a draft; citizens see it only after a "
        "reviewer publishes it.",
        "กรอกข้อมูลบริการทั้งภาษาไทยและภาษาอังกฤษ เมื่อบันทึกจะได้ฉบับร่าง ประชาชนจะเห็นเมื่อผู้ตรวจเผยแพร่แล้วเท่านั้น",
    ),
    "field.id": ("Service id (in the address, cannot change later)", "รหัสบริการ (ใช้ในลิงก์ เปลี่ยนภายหลังไม่ได้)"),
    "field.id_hint": ("e.g. passport-renewal", "เช่น passport-renewal"),
    "field.where_to_apply": ("Where to apply", "สถานที่ยื่นคำขอ"),
    "field.where_to_apply.description": ("Where to apply", "สถานที่ยื่นคำขอ"),
    "field.where_to_apply.opening_hours": ("Opening hours", "เวลาทำการ"),
    "field.where_to_apply.online_url": ("Apply online at (web address)", "ยื่นออนไลน์ได้ที่ (ที่อยู่เว็บ)"),
    "field.source_url": ("Official page of the service", "หน้าเว็บทางการของบริการ"),
    "field.abbreviations": ("Abbreviations", "คำย่อ"),
    "field.to_verify": ("Fields still to verify (written from public knowledge)", "ช่องที่ยังรอตรวจสอบ (เขียนจากข้อมูลทั่วไป)"),
    "field.facts": ("Facts and their sources", "ข้อมูลสำคัญและแหล่งที่มา"),
    "field.facts_help": (
        "Each fee, deadline, amount or condition a citizen acts on, with the official page that states it. "
        "Mark a fact “to verify” until someone has compared it with its source.",
        "ค่าธรรมเนียม กำหนดเวลา จำนวนเงิน หรือเงื่อนไขที่ประชาชนต้องใช้ พร้อมหน้าเว็บทางการที่ระบุไว้ "
        "ให้ทำเครื่องหมาย “รอตรวจสอบ” จนกว่าจะมีผู้เทียบกับแหล่งที่มาแล้ว",
    ),
    "field.fact": ("Fact", "ข้อมูล"),
    "field.fact.field": ("Backs the field", "เป็นข้อมูลของช่อง"),
    "field.fact.kind": ("Kind", "ประเภท"),
    "field.fact.text": ("The fact", "ข้อความ"),
    "field.fact.status": ("Checked?", "ตรวจสอบแล้วหรือยัง"),
    "field.fact.source.url": ("Source: web address", "แหล่งที่มา: ที่อยู่เว็บ"),
    "field.fact.source.title": ("Source: page or document name", "แหล่งที่มา: ชื่อหน้าหรือเอกสาร"),
    "field.fact.source.date": ("Source's own date (YYYY-MM-DD)", "วันที่ของเอกสาร (ปปปป-ดด-วว)"),
    "field.fact.checked": ("Checked on (YYYY-MM-DD)", "ตรวจสอบเมื่อ (ปปปป-ดด-วว)"),
    "field.fact.note": ("Note for editors", "หมายเหตุสำหรับผู้แก้ไข"),
    "status.verified": ("Checked against the source", "ตรวจสอบกับแหล่งที่มาแล้ว"),
    "status.unverified": ("To verify", "รอตรวจสอบ"),
    "kind.fee": ("Fee", "ค่าธรรมเนียม"),
    "kind.fine": ("Fine", "ค่าปรับ"),
    "kind.deadline": ("Deadline", "กำหนดเวลา"),
    "kind.amount": ("Amount", "จำนวนเงิน"),
    "kind.eligibility": ("Eligibility", "คุณสมบัติ"),
    "kind.document": ("Document", "เอกสาร"),
    "kind.time": ("Time", "ระยะเวลา"),
    "field.offices": ("Offices", "สำนักงาน"),
    "field.office": ("Office", "สำนักงาน"),
    "field.office.name": ("Office name", "ชื่อสำนักงาน"),
    "field.office.address": ("Address", "ที่อยู่"),
    "field.office.latitude": ("Latitude", "ละติจูด"),
    "field.office.longitude": ("Longitude", "ลองจิจูด"),
    "field.faq": ("Frequently asked questions", "คำถามที่พบบ่อย"),
    "field.faq_entry": ("Question", "คำถาม"),
    "field.faq.question": ("Question", "คำถาม"),
    "field.faq.answer": ("Answer", "คำตอบ"),
    "field.title": ("Title", "ชื่อบริการ"),
    "field.summary": ("Summary", "คำอธิบายโดยย่อ"),
    "field.eligibility": ("Who can apply", "ผู้มีสิทธิ์ยื่น"),
    "field.fees": ("Fees", "ค่าธรรมเนียม"),
    "field.processing_time": ("Processing time", "ระยะเวลาดำเนินการ"),
    "field.agency": ("Agency", "หน่วยงาน"),
    "field.documents": ("Documents", "เอกสารที่ต้องใช้"),
    "field.steps": ("Steps", "ขั้นตอน"),
    "field.example_questions": ("Example questions", "ตัวอย่างคำถาม"),
    "field.colloquial_names": ("Colloquial names", "ชื่อเรียกทั่วไป"),
    "field.keywords": ("Keywords", "คำสำคัญ"),
    "field.life_events": ("Life events", "เหตุการณ์ในชีวิต"),
    "field.last_reviewed": ("Last reviewed (YYYY-MM-DD)", "วันที่ตรวจทานล่าสุด (ปปปป-ดด-วว)"),
    # drafts and history
    "drafts.title": ("Drafts and review", "ฉบับร่างและการตรวจ"),
    "drafts.none": ("No open drafts.", "ไม่มีฉบับร่างที่เปิดอยู่"),
    "drafts.author": ("Author", "ผู้เขียน"),
    "drafts.state": ("State", "สถานะ"),
    "drafts.updated": ("Last saved", "บันทึกล่าสุด"),
    "drafts.filter_state": ("State", "สถานะ"),
    "drafts.open": ("Open (being written or waiting for review)", "ที่เปิดอยู่ (กำลังแก้ไขหรือรอการตรวจ)"),
    "drafts.all": ("All", "ทั้งหมด"),
    "drafts.filter_author": ("Author", "ผู้เขียน"),
    "drafts.filter_service": ("Service (id or title)", "บริการ (รหัสหรือชื่อ)"),
    "drafts.count": ("{count} drafts", "{count} ฉบับร่าง"),
    "drafts.none_match": ("No draft matches these filters.", "ไม่มีฉบับร่างที่ตรงกับตัวกรองนี้"),
    "drafts.comment": ("Reviewer's comment", "ความเห็นของผู้ตรวจ"),
    "state.draft": ("Being written", "กำลังแก้ไข"),
    "state.submitted": ("Waiting for review", "รอการตรวจ"),
    "state.published": ("Published", "เผยแพร่แล้ว"),
    "state.discarded": ("Discarded", "ยกเลิกแล้ว"),
    "history.title": ("History: {title}", "ประวัติ: {title}"),
    "history.when": ("When", "เมื่อ"),
    "history.who": ("Who", "ผู้แก้ไข"),
    "history.change": ("Change", "การเปลี่ยนแปลง"),
    "history.field": ("Field", "ช่อง"),
    "history.before": ("Before", "ก่อน"),
    "history.after": ("After", "หลัง"),
    "history.rollback": ("Restore this version", "ย้อนกลับไปใช้ฉบับนี้"),
    "history.restored": (
        "Version {from_version} restored as version {version}.",
        "ย้อนกลับไปใช้ฉบับที่ {from_version} แล้ว เป็นฉบับที่ {version}",
    ),
    "history.no_changes": ("No field changed.", "ไม่มีช่องใดเปลี่ยน"),
    # analytics
    "analytics.title": ("Analytics", "สถิติการใช้งาน"),
    "analytics.from": ("From", "ตั้งแต่วันที่"),
    "analytics.to": ("To", "ถึงวันที่"),
    "analytics.channel": ("Channel", "ช่องทาง"),
    "analytics.language": ("Language", "ภาษา"),
    "analytics.questions": ("Questions", "จำนวนคำถาม"),
    "analytics.per_day": ("Questions per day", "คำถามต่อวัน"),
    "analytics.per_day_table": ("The same figures as a table", "ตัวเลขชุดเดียวกันในรูปตาราง"),
    "analytics.day": ("Day", "วันที่"),
    "analytics.fallback_rate": ("Not answered (fallback)", "ตอบไม่ได้ (fallback)"),
    "analytics.handoff_rate": ("Handed to staff", "ส่งต่อเจ้าหน้าที่"),
    "analytics.turn_time": ("Reply time p50 / p95", "เวลาตอบ p50 / p95"),
    "analytics.top": ("Most asked services", "บริการที่ถูกถามมากที่สุด"),
    "analytics.count": ("Answers", "จำนวนคำตอบ"),
    "analytics.share": ("Share", "สัดส่วน"),
    "analytics.helpful": ("Rated helpful, per service", "สัดส่วนที่ประเมินว่ามีประโยชน์ แยกตามบริการ"),
    "analytics.helpful_yes": ("Helpful", "มีประโยชน์"),
    "analytics.helpful_no": ("Not helpful", "ไม่มีประโยชน์"),
    "analytics.unanswered": ("Questions the assistant could not answer", "คำถามที่ผู้ช่วยยังตอบไม่ได้"),
    "analytics.unanswered_none": ("No unanswered questions in this range.", "ไม่มีคำถามที่ตอบไม่ได้ในช่วงนี้"),
    "analytics.times": ("Asked", "จำนวนครั้ง"),
    "analytics.add_to": ("Add as an example question of", "เพิ่มเป็นตัวอย่างคำถามของบริการ"),
    "analytics.add": ("Add as example", "เพิ่มเป็นตัวอย่าง"),
    "analytics.added": (
        "Added to “{title}”: the same question now finds that service.",
        "เพิ่มในบริการ “{title}” แล้ว คำถามเดียวกันนี้จะพบบริการนั้นทันที",
    ),
    "analytics.already": ("“{title}” already has this example question.", "บริการ “{title}” มีตัวอย่างคำถามนี้อยู่แล้ว"),
    "analytics.already_of": ("Already an example of", "เป็นตัวอย่างคำถามของ"),
    "analytics.csv": ("Download CSV", "ดาวน์โหลด CSV"),
    "analytics.csv_turns": ("every question", "คำถามทั้งหมด"),
    "analytics.csv_services": ("per service", "แยกตามบริการ"),
    "analytics.csv_unanswered": ("unanswered", "คำถามที่ตอบไม่ได้"),
    "analytics.no_data": ("No data", "ไม่มีข้อมูล"),
    "analytics.off": ("This gateway records no turn events.", "ระบบนี้ไม่ได้บันทึกข้อมูลการสนทนา"),
    "analytics.bad_filter": ("A filter cannot be read: {problem}", "อ่านตัวกรองไม่ได้: {problem}"),
    "channel.web": ("Web", "เว็บ"),
    "channel.line": ("LINE", "LINE"),
    "channel.api": ("API", "API"),
    "language.th": ("Thai", "ไทย"),
    "language.en": ("English", "อังกฤษ"),
}


def label(key: str, lang: str, **values: Any) -> str:
    """The label ``key`` in ``lang`` ("th" or "en"), with ``{placeholders}`` filled in."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "th" else pair[0]
    return text.format(**values) if values else text
