"""Field work: client locations and check-ins (DingTalk 签到, WeCom 外出打卡): their import
fields and errors, the on-site figures (fw.) and their place on the Action review and the
monthly one-to-one."""

EN = {
    # Import fields (headers of the templates and exports)
    "import.field.address": "Address",
    "import.field.longitude": "Longitude (WGS-84)",
    "import.field.latitude": "Latitude (WGS-84)",
    "import.field.coordinates": "Coordinates",
    "import.field.checked_at": "Check-in time",
    "import.field.checkin_id": "Check-in ID",
    "import.field.checkin_type": "Check-in type",
    "import.field.place": "Place",
    "import.field.department": "Department",
    "import.field.user_account": "Account",
    "import.field.device": "Device",
    "import.field.photos": "Photos",
    "import.kind.checkins": "check-ins",
    # Row errors of a check-ins file or a clients file with locations
    "checkin.bad_time": "'{value}' is not a date and time. Write it as 2024-05-06 09:30.",
    "checkin.time_without_date": "'{value}' is a time of day without a date: add a date column "
    "(日期) or write the check-in time with its date.",
    "checkin.not_field": "'{value}' is not a field check-in (外出打卡 / 签到). Export the field "
    "check-ins only, or leave this row out (--skip-invalid).",
    "checkin.bad_longitude": "'{value}' is not a longitude in degrees (-180 to 180). Write a number "
    "such as 121.4737, or leave the cell empty.",
    "checkin.bad_latitude": "'{value}' is not a latitude in degrees (-90 to 90). Write a number "
    "such as 31.2304, or leave the cell empty.",
    "checkin.bad_coordinates": "'{value}' is not a longitude and latitude. Write them as "
    "'121.4737,31.2304' (longitude first), or leave the cell empty.",
    "checkin.half_coordinates": "Only one of longitude and latitude is given: fill in both or neither.",
    "checkin.unknown_rep": "No rep is named '{name}'. Correct the name as the reps list has it, "
    "or import the rep first (a reps file).",
    "checkin.unknown_rep_code": "No rep has the code '{code}'. Correct the code, or import the rep "
    "first (a reps file).",
    "checkin.unknown_client": "No client is named '{name}' (full-width characters, spaces and "
    "suffixes such as 有限公司 were allowed for). Correct the name as the clients list has it, "
    "or import the client first (a clients file).",
    "checkin.unknown_client_code": "No client has the code '{code}'. Correct the code, or import "
    "the client first (a clients file).",
    "checkin.ambiguous_client": "'{name}' could be any of: {candidates}. Write the client's full "
    "name or add a client code column.",
    "checkin.source.dingtalk": "DingTalk",
    "checkin.source.wecom": "WeCom",
    "checkin.source.other": "other",
    # Pages
    "fw.section": "Check-ins on site",
    "fw.caption": "From DingTalk and WeCom check-in exports (Import data). On site: within {metres} m "
    "of the client, or in its district when only its address is known.",
    "fw.none": "No check-ins in this period. Import a DingTalk 签到 or WeCom 外出打卡 export on the "
    "Import data page.",
    "fw.plan.kpi": "On-site rate this month",
    "fw.plan.kpi_help": "{on_site} of {known} check-ins at the client; {visits} of {all_visits} "
    "visits checked in. A planned visit with a check-in counts as done.",
    "fw.plan.none": "No check-ins this month.",
    "ar.types.of_last": "First days of {now}: the visits shown are those of {last}, the last complete period.",
    "fw.plan.of_last": "First days of {now}: the check-ins are those of {last}, the last complete month.",
    "fw.plan.kpi_in": "On-site rate in {month}",
    "fw.plan.none_in": "No check-ins in {month}.",
    "fw.of_last": "First days of {now}: the check-ins shown are those of {last}, the last complete period.",
}

ZH = {
    "import.field.address": "地址",
    "import.field.longitude": "经度(WGS-84)",
    "import.field.latitude": "纬度(WGS-84)",
    "import.field.coordinates": "经纬度",
    "import.field.checked_at": "签到时间",
    "import.field.checkin_id": "签到编号",
    "import.field.checkin_type": "打卡类型",
    "import.field.place": "签到地点",
    "import.field.department": "部门",
    "import.field.user_account": "账号",
    "import.field.device": "打卡设备",
    "import.field.photos": "图片",
    "import.kind.checkins": "签到",
    "checkin.bad_time": "“{value}”不是日期时间。请写成 2024-05-06 09:30。",
    "checkin.time_without_date": "“{value}”只有时刻没有日期：请加上日期列，或在签到时间中写明日期。",
    "checkin.not_field": "“{value}”不是外出签到（外出打卡 / 签到）。请只导出外出打卡记录，或跳过本行（--skip-invalid）。",
    "checkin.bad_longitude": "“{value}”不是以度为单位的经度（-180 至 180）。请填写数字（例如 121.4737），或留空。",
    "checkin.bad_latitude": "“{value}”不是以度为单位的纬度（-90 至 90）。请填写数字（例如 31.2304），或留空。",
    "checkin.bad_coordinates": "“{value}”不是经纬度。请写成“121.4737,31.2304”（经度在前），或留空。",
    "checkin.half_coordinates": "经度和纬度只填了一个：请都填写或都留空。",
    "checkin.unknown_rep": "没有名为“{name}”的销售人员。请按销售人员名单更正姓名，或先导入该人员（销售人员文件）。",
    "checkin.unknown_rep_code": "没有工号为“{code}”的销售人员。请更正工号，或先导入该人员（销售人员文件）。",
    "checkin.unknown_client": "没有名为“{name}”的客户（已忽略全角字符、空格及“有限公司”等后缀）。"
    "请按客户名单更正名称，或先导入该客户（客户文件）。",
    "checkin.unknown_client_code": "没有编号为“{code}”的客户。请更正编号，或先导入该客户（客户文件）。",
    "checkin.ambiguous_client": "“{name}”可能是以下任一客户：{candidates}。请填写客户全称或添加客户编号列。",
    "checkin.source.dingtalk": "钉钉",
    "checkin.source.wecom": "企业微信",
    "checkin.source.other": "其他",
    "fw.section": "现场签到",
    "fw.caption": "来自钉钉、企业微信签到导出（导入数据页）。现场：距客户 {metres} 米以内；客户只有地址时，在其区县内。",
    "fw.none": "本期间没有签到。请在“导入数据”页导入钉钉签到或企业微信外出打卡导出文件。",
    "fw.plan.kpi": "本月现场签到率",
    "fw.plan.kpi_help": "{known} 次签到中 {on_site} 次在客户处；{all_visits} 次拜访中 {visits} 次有签到。"
    "有签到的计划拜访计为已完成。",
    "fw.plan.none": "本月没有签到。",
    "ar.types.of_last": "{now}期初：以下为上一个完整期 {last} 的拜访。",
    "fw.plan.of_last": "{now}期初：以下为上一个完整月 {last} 的签到。",
    "fw.plan.kpi_in": "{month}现场签到率",
    "fw.plan.none_in": "{month}没有签到。",
    "fw.of_last": "{now}期初：以下为上一个完整期 {last} 的签到。",
}
