"""Messages of the importer: file problems, row errors (each says what to do), notes, summaries."""

EN = {
    # field labels: the headers of templates and exports
    "import.field.rep": "Sales rep",
    "import.field.rep_code": "Rep code",
    "import.field.team": "Team",
    "import.field.region": "Region",
    "import.field.role": "Role",
    "import.field.manager": "Manager",
    "import.field.client": "Client",
    "import.field.client_code": "Client code",
    "import.field.client_type": "Client type",
    "import.field.key_account": "Key account",
    "import.field.owner": "Owner",
    "import.field.relationship_level": "Relationship level",
    "import.field.opportunity_id": "Opportunity ID",
    "import.field.opportunity_name": "Opportunity name",
    "import.field.product": "Product",
    "import.field.project": "Project",
    "import.field.stage": "Stage",
    "import.field.status": "Status",
    "import.field.amount": "Amount",
    "import.field.probability": "Probability",
    "import.field.created_date": "Created date",
    "import.field.expected_close_date": "Expected close date",
    "import.field.close_date": "Close date",
    "import.field.lost_reason": "Lost reason",
    "import.field.date": "Visit date",
    "import.field.visit_id": "Visit ID",
    "import.field.type": "Visit type",
    "import.field.planned": "Planned",
    "import.field.accompanied_by": "Accompanied by",
    "import.field.opportunity": "Related opportunity",
    "import.field.purpose": "Purpose",
    "import.field.outcome": "Outcome",
    "import.field.notes": "Notes",
    "import.field.period": "Period",
    # kinds and entities
    "import.kind.reps": "reps",
    "import.kind.clients": "clients",
    "import.kind.opportunities": "opportunities",
    "import.kind.visits": "visits",
    "import.kind.targets": "targets",
    # where
    "import.at_row_column": "Row {row}, column {column}: ",
    "import.at_row": "Row {row}: ",
    "import.at_column": "Column {column}: ",
    "import.out_of_scope_rep": "'{value}' is not one of the reps you manage. Import only your own team's rows, or ask the sales director to import this file.",
    "import.out_of_scope_team": "'{value}' is outside your teams and regions. Import only your own team's rows, or ask the sales director.",
    "import.out_of_scope_region": "The region '{value}' is outside your scope. Import only your own region's rows, or ask the sales director.",
    # file problems
    "import.empty_file": "The file is empty. Export the data again and upload the file that has "
    "a header row and data rows.",
    "import.no_rows": "The file has a header row but no data rows. Nothing to import.",
    "import.binary_file": "This is not a text table (it contains binary data). Upload a CSV file "
    "or an Excel .xlsx workbook.",
    "import.not_a_table": "This is a {what} file, not a table. Upload a CSV file or an Excel .xlsx workbook.",
    "import.old_excel": "Old Excel 97-2003 workbooks (.xls) cannot be read. Open it in Excel and "
    "save it as .xlsx (Excel Workbook) or as CSV UTF-8.",
    "import.corrupt_excel": "The Excel workbook is damaged or not really an .xlsx file. Open it in "
    "Excel, save it again as .xlsx, and upload that.",
    "import.corrupt_excel_detail": "The Excel workbook cannot be read ({detail}). Open it in "
    "Excel, save it again as .xlsx, and upload that.",
    "import.no_such_sheet": "The workbook has no sheet named '{sheet}'. Its sheets: {sheets}.",
    "import.unknown_encoding": "'{encoding}' is not a text encoding this program knows. Try "
    "utf-8, gb18030 (for GBK/GB2312), utf-16 or big5.",
    "import.wrong_encoding": "The file cannot be read as {encoding} (invalid bytes at position "
    "{position}). Leave the encoding to be detected, or name the right one.",
    "import.unknown_file_encoding": "The file's text encoding is neither UTF-8 nor GBK/GB18030. "
    "Save it from Excel as 'CSV UTF-8', or name its encoding "
    "(for example --encoding big5).",
    "import.unknown_kind_name": "'{kind}' is not a kind of import. Use one of: {kinds}.",
    "import.unknown_kind": "Cannot tell what this file holds from its headers ({columns}). Choose "
    "the kind (reps, clients, opportunities, visits or targets) or map the "
    "columns to fields.",
    "import.unknown_columns": "These columns are not recognised for {kind}: {columns}. Map each "
    "to a field, or to 'ignore' to leave it out (mapping file: "
    '{{"column": "field"}}), or leave out every column a file of {kind} does not use '
    "(--ignore-unknown).",
    "import.no_key": "This file of deals has no id column ({id}) and nothing else to tell its "
    "deals apart: add a column with the deal's name or product ({what}), or map one to it.",
    "import.duplicate_header": "Two columns are both headed '{column}' (columns {first} and "
    "{second}). Rename one of them.",
    "import.duplicate_field": "Columns '{first}' and '{second}' both hold the field {field}. Map "
    "one of them to another field or to 'ignore'.",
    "import.missing_column": "A file of {kind} needs a column for {fields} (for example: "
    "{headers}). Add it, or map an existing column to it.",
    "import.mapping_unknown_field": "The mapping sends column '{column}' to '{field}', which is "
    "not a field. Fields: {fields}; or 'ignore'.",
    "import.mapping_file_missing": "The mapping file {path} does not exist.",
    "import.mapping_file_bad": "The mapping file {path} is not a JSON object of column names to "
    "field names ({detail}).",
    "import.unreadable": "The file could not be read ({detail}). Save it again as CSV UTF-8 or as "
    ".xlsx and upload that; if it still fails, report this message.",
    "import.file_missing": "The file {path} does not exist.",
    "import.file_unreadable": "The file {path} cannot be read: {detail}",
    "import.unnamed_column": "(column {letter})",
    # row errors
    "import.bad_date": "'{value}' is not a date. Use YYYY-MM-DD, for example 2024-05-06 "
    "(2024/5/6, 2024年5月6日 and Excel dates work too).",
    "import.bad_date_year": "'{value}' is not a plausible date (year outside {min}-{max}). Check "
    "the year; use YYYY-MM-DD.",
    "import.bad_money": "'{value}' is not an amount. Use a number such as 12345.50, ￥12,345 or 12.5万.",
    "import.negative_money": "'{value}' is negative. Amounts must be zero or more; enter the "
    "amount without a minus sign.",
    "import.money_too_large": "'{value}' is too large to be an amount. Check for extra digits.",
    "import.bad_probability": "'{value}' is not a probability. Use 60%, 60 or 0.6 (between 0 and 100%).",
    "import.bad_flag": "'{value}' is not yes or no. Use yes/no, y/n, true/false, 1/0 or 是/否.",
    "import.bad_level": "'{value}' is not a relationship level. Use a whole number from 1 to 5.",
    "import.bad_period": "'{value}' is not a period. Use a month (2024-05 or 2024年5月), a quarter "
    "(2024-Q2) or a year (2024).",
    "import.bad_role": "'{value}' is not a role. Use sales engineer, sales manager or director "
    "(销售工程师, 销售经理, 销售总监).",
    "import.bad_status": "'{value}' is not a status. Use won, lost or open (赢单, 输单, 进行中).",
    "import.unknown_client_type": "'{value}' is not a client type.",
    "import.unknown_visit_type": "'{value}' is not a visit type.",
    "import.spreadsheet_error": "The cell holds a spreadsheet error ({value}). Fix the formula in "
    "the source file or type the value.",
    "import.required": "A value is required here; fill it in.",
    "import.required_one_of": "Each row needs a value in one of: {columns}.",
    "import.ragged_row": "The row has {count} values but the header has {width} columns. A comma "
    "inside a value must be inside double quotes; check this line.",
    "import.duplicate_key": "same record as row {other} but a different value here ('{this_value}' "
    "vs '{other_value}'). Keep one of the two rows, or give them "
    "different ids.",
    "import.same_record": "this row and row {other} name the same record (one by code, one by "
    "name). Keep one of the two rows.",
    "import.ambiguous_name": "'{name}' matches several records with that name. Add a code column "
    "(rep code / client code) to say which one.",
    "import.stale_as_of": "opportunity {id} already has a change dated {latest}, later than this "
    "export's as-of date {as_of}. Import older exports first, or set --as-of "
    "to the export's real date.",
    # notes
    "import.note_month_first": "dates like 5/6/2024 read as month/day/year (no value in the "
    "file settles the order; write YYYY-MM-DD to be sure).",
    "import.note_day_first": "dates like 5/6/2024 read as day/month/year, as in other date "
    "columns of this file.",
    "import.note_mixed_dates_mdy": "the column mixes month/day/year and day/month/year dates; read "
    "as month/day/year, so the others are reported as errors.",
    "import.note_mixed_dates_dmy": "the column mixes day/month/year and month/day/year dates; read "
    "as day/month/year, so the others are reported as errors.",
    "import.note_unknown_values": "values not recognised, stored as '{fallback}': {values}.",
    "import.note_not_stored": "recognised as {field}, which a file of {kind} does not store; left out.",
    "import.note_header_row": "the header is on row {row}; the rows above it were skipped.",
    "import.note_unit_foreign": "amounts read in {currency} ('{unit}' in the header) and kept as "
    "they are: not converted to {company}.",
    "import.note_unit_scale": "amounts counted in {unit} ('{unit}' in the header): each is "
    "multiplied by {scale}.",
    "import.note_unit_money": "amounts read in {currency} ('{unit}' in the header).",
    "import.note_unit_percent": "read as percents ('{unit}' in the header): 60 is 60%, 1 is 1%.",
    "import.note_unit_unused": "the unit '{unit}' in the header means nothing for this field; its "
    "values are read as they are.",
    "import.note_derived_key": "No id column: each deal is identified by {columns} (names folded); "
    "the same deal in next week's export updates this one. Every row is a deal: rows sharing all "
    "of these are told apart by their order in the file.",
    "import.note_left_out": "Columns left out (not imported): {columns}.",
    # refusal and results
    "import.refused": "{file} was not imported: {rows} row(s) have errors. Fix them, or import "
    "the valid rows only (--skip-invalid).",
    "import.nothing_valid": "{file} was not imported: no row is valid.",
    "import.more_errors": "… and {count} more.",
    "import.rows_with_errors": "{rows} row(s) with errors:",
    "import.refused_nothing_written": "Refused: nothing was written to the database.",
    "import.refused_file_not_written": "{file} was not imported; files listed above it were.",
    "import.errors_written": "The refused rows and their reasons are in {path}.",
    "import.errors_row_header": "source row",
    "import.errors_reason_header": "reason",
    "import.errors_file_header": "file",
    "import.file_line": "{file}: {kind}, {rows} rows ({how})",
    "import.sheet": "sheet",
    "import.summary": "batch {batch} ({kind}): {added} added, {updated} updated, {unchanged} "
    "unchanged, {refused} refused.",
    "import.summary_dry_run": "test run ({kind}), nothing kept: {added} would be added, {updated} "
    "updated, {unchanged} unchanged, {refused} refused.",
    "import.created_reps": "{count} new rep(s) created: {names}",
    "import.created_clients": "{count} new client(s) created: {names}",
    # progress steps
    "import.step_reading": "Reading the file…",
    "import.step_checking": "Checking every row…",
    "import.step_checked": "Checked.",
    "import.step_writing": "Writing to the database…",
    "import.step_saving": "Saving…",
    "import.step_done": "Done.",
    # uploads and undo
    "import.no_uploads": "No uploads yet.",
    "import.upload_line": "#{batch}  {when}  {file}  {kind}: {rows} rows, {added} added, {updated} "
    "updated, {unchanged} unchanged, {refused} refused  ({user})",
    "import.undone_on": "undone {when} by {user}",
    "import.undo_blocked_by": "undo batch {batches} first",
    "import.undone": "Batch {batch} is undone: its rows are as they were before it.",
    "import.undo_unknown": "There is no upload batch {batch}.",
    "import.undo_twice": "Batch {batch} was already undone ({when}).",
    "import.undo_later": "Batch {batch} cannot be undone yet: later batch(es) {later} changed some "
    "of the same rows. Undo those first.",
    "import.undo_rep_in_use": "Batch {batch} cannot be undone: reps it created are used by other "
    "data ({users}; batches: {batches}). Undo those batches first.",
    "import.undo_client_in_use": "Batch {batch} cannot be undone: clients it created are used by "
    "other data ({users}; batches: {batches}). Undo those batches "
    "first.",
    "import.excel_too_many_rows": "The sheet has a cell in row {rows} ({cell}); an import reads at most "
    "{limit} rows. Delete what lies below the table (select the rows, Delete Sheet Rows) and save again.",
    "import.excel_too_many_columns": "The sheet has a cell in column {columns} ({cell}); an import reads at "
    "most {limit} columns. Delete what lies right of the table (select the columns, Delete Sheet Columns) "
    "and save again.",
    "import.excel_too_many_cells": "The sheet is {rows} rows by {columns} columns (up to cell {cell}); an "
    "import reads at most {limit} cells. Delete the empty rows and columns around the table, or split the "
    "file, and save again.",
    "import.excel_too_large": "The workbook unpacks to {size} MB (most of it {member}); an import reads at "
    "most {limit} MB. Save only the sheet to import (or as CSV) and upload that.",
    "import.not_yours_rep": "The rep {record} is in team {team} (region {region}), outside your scope: a "
    "manager may not change or move another team's rep. Leave this row out, or ask the sales director "
    "to import it.",
    "import.not_yours_client": "The client {record} is owned by {owner} (team {team}), outside your scope: a "
    "manager may not change another team's client. Leave this row out, or ask the owner's manager or the "
    "sales director.",
    "import.not_yours_opportunity": "The opportunity {record} belongs to {owner} (team {team}), outside your "
    "scope: a manager may not change or take over another team's opportunity. Leave this row out, or ask "
    "the owner's manager or the sales director.",
    "import.not_yours_visit": "The visit {record} was made by {owner} (team {team}), outside your scope: a "
    "manager may not change another team's visit. Leave this row out (or remove its visit id for a new "
    "visit), or ask the sales director.",
    "import.needs_own_rep": "This row names no rep: as a manager you import only records of your own reps. "
    "Fill in one of your reps, or leave the row out.",
    "import.undo_not_yours": "Batch {batch} changed records outside your scope (other teams' data): only "
    "the sales director, or a manager of all of them, can undo it.",
    "import.mixed_encodings": "The file mixes two text encodings: UTF-8 on line(s) {utf8}, GBK/GB18030 on "
    "line(s) {gbk}. Read as one, the other lines' Chinese would be garbled. Save it again in one encoding "
    "(in Excel: Save As, CSV UTF-8), or name the encoding if you are sure of it.",
    "import.too_long": "{length:,} characters; this column holds at most {limit:,}. Shorten the text.",
    "import.bidi_control": "Holds the invisible direction control {char}, which makes a name display "
    "differently from what it is. Delete that character (retype the value).",
    "import.too_many_errors": "The file has {count:,} errors in {rows:,} rows; only those of its first rows "
    "are listed (up to row {last:,}; at most {limit:,} errors). A file with this many errors is refused whole, "
    "even when importing the valid rows: check that it is the right file and that its columns are mapped "
    "right, then fix the errors and check it again.",
}

ZH = {
    # field labels: the headers of templates and exports
    "import.field.rep": "销售人员",
    "import.field.rep_code": "工号",
    "import.field.team": "团队",
    "import.field.region": "区域",
    "import.field.role": "职位",
    "import.field.manager": "直属上级",
    "import.field.client": "客户名称",
    "import.field.client_code": "客户编号",
    "import.field.client_type": "客户类型",
    "import.field.key_account": "是否重点客户",
    "import.field.owner": "客户负责人",
    "import.field.relationship_level": "关系等级",
    "import.field.opportunity_id": "商机编号",
    "import.field.opportunity_name": "商机名称",
    "import.field.product": "产品",
    "import.field.project": "项目名称",
    "import.field.stage": "商机阶段",
    "import.field.status": "商机状态",
    "import.field.amount": "金额",
    "import.field.probability": "赢率",
    "import.field.created_date": "创建日期",
    "import.field.expected_close_date": "预计成交日期",
    "import.field.close_date": "成交日期",
    "import.field.lost_reason": "输单原因",
    "import.field.date": "拜访日期",
    "import.field.visit_id": "拜访编号",
    "import.field.type": "拜访方式",
    "import.field.planned": "是否计划内",
    "import.field.accompanied_by": "陪访人",
    "import.field.opportunity": "关联商机",
    "import.field.purpose": "拜访目的",
    "import.field.outcome": "拜访结果",
    "import.field.notes": "备注",
    "import.field.period": "期间",
    "import.kind.reps": "销售人员",
    "import.kind.clients": "客户",
    "import.kind.opportunities": "商机",
    "import.kind.visits": "拜访",
    "import.kind.targets": "目标",
    "import.at_row_column": "第 {row} 行，列“{column}”：",
    "import.at_row": "第 {row} 行：",
    "import.at_column": "列“{column}”：",
    "import.out_of_scope_rep": "“{value}”不是您管理的销售。请只导入本团队的数据，或请销售总监导入此文件。",
    "import.out_of_scope_team": "“{value}”不在您的团队和区域范围内。请只导入本团队的数据，或联系销售总监。",
    "import.out_of_scope_region": "区域“{value}”不在您的权限范围内。请只导入本区域的数据，或联系销售总监。",
    "import.empty_file": "文件是空的。请重新导出，上传带有表头行和数据行的文件。",
    "import.no_rows": "文件只有表头，没有数据行，没有可导入的内容。",
    "import.binary_file": "这不是文本表格（含有二进制数据）。请上传 CSV 文件或 Excel .xlsx 工作簿。",
    "import.not_a_table": "这是 {what} 文件，不是表格。请上传 CSV 文件或 Excel .xlsx 工作簿。",
    "import.old_excel": "无法读取旧版 Excel 97-2003 工作簿（.xls）。请在 Excel 中打开，另存为 .xlsx"
    "（Excel 工作簿）或“CSV UTF-8”。",
    "import.corrupt_excel": "Excel 工作簿已损坏，或并非真正的 .xlsx 文件。请在 Excel 中打开并重新另存为 "
    ".xlsx 后上传。",
    "import.corrupt_excel_detail": "无法读取该 Excel 工作簿（{detail}）。请在 Excel 中打开并重新另存为 "
    ".xlsx 后上传。",
    "import.no_such_sheet": "工作簿中没有名为“{sheet}”的工作表。现有工作表：{sheets}。",
    "import.unknown_encoding": "“{encoding}”不是可识别的文本编码。可尝试 utf-8、gb18030"
    "（适用于 GBK/GB2312）、utf-16 或 big5。",
    "import.wrong_encoding": "无法按 {encoding} 读取文件（位置 {position} 处有无效字节）。"
    "请让程序自动识别编码，或指定正确的编码。",
    "import.unknown_file_encoding": "文件编码既不是 UTF-8 也不是 GBK/GB18030。请在 Excel 中另存为"
    "“CSV UTF-8”，或指定其编码（例如 --encoding big5）。",
    "import.unknown_kind_name": "“{kind}”不是可导入的类型。请使用：{kinds}。",
    "import.unknown_kind": "无法从表头（{columns}）判断文件内容。请选择类型（reps 销售人员、clients 客户、"
    "opportunities 商机、visits 拜访、targets 目标），或把各列对应到字段。",
    "import.unknown_columns": "以下列无法识别（{kind}）：{columns}。请把每一列对应到一个字段，"
    '或设为“ignore”忽略（映射文件：{{"列名": "字段"}}），或略过{kind}文件不用的全部列'
    "（--ignore-unknown）。",
    "import.no_key": "这份商机文件没有编号列（{id}），也没有其他能区分商机的列：请添加商机名称或产品列"
    "（{what}），或把现有列对应到它。",
    "import.duplicate_header": "有两列的表头都是“{column}”（第 {first} 列和第 {second} 列）。请重命名其中一列。",
    "import.duplicate_field": "列“{first}”和“{second}”都对应字段 {field}。请把其中一列改为其他字段或“ignore”。",
    "import.missing_column": "{kind} 文件需要 {fields} 列（例如：{headers}）。请添加该列，或把现有列对应到它。",
    "import.mapping_unknown_field": "映射把列“{column}”对应到“{field}”，但这不是字段。可用字段：{fields}；"
    "或“ignore”。",
    "import.mapping_file_missing": "映射文件 {path} 不存在。",
    "import.mapping_file_bad": "映射文件 {path} 不是“列名 → 字段名”的 JSON 对象（{detail}）。",
    "import.unreadable": "无法读取该文件（{detail}）。请重新另存为“CSV UTF-8”或 .xlsx 后上传；如仍失败，请报告此信息。",
    "import.file_missing": "文件 {path} 不存在。",
    "import.file_unreadable": "无法读取文件 {path}：{detail}",
    "import.unnamed_column": "（第 {letter} 列）",
    "import.bad_date": "“{value}”不是有效日期。请使用 YYYY-MM-DD，例如 2024-05-06"
    "（也可用 2024/5/6、2024年5月6日 或 Excel 日期）。",
    "import.bad_date_year": "“{value}”不是合理的日期（年份不在 {min}-{max} 之间）。请检查年份，"
    "使用 YYYY-MM-DD。",
    "import.bad_money": "“{value}”不是有效金额。请使用数字，例如 12345.50、￥12,345 或 12.5万。",
    "import.negative_money": "“{value}”是负数。金额必须大于或等于零，请去掉负号。",
    "import.money_too_large": "“{value}”太大，不像是金额。请检查是否多了位数。",
    "import.bad_probability": "“{value}”不是有效赢率。请使用 60%、60 或 0.6（0 到 100% 之间）。",
    "import.bad_flag": "“{value}”不是“是/否”。请使用 是/否、yes/no、y/n、true/false 或 1/0。",
    "import.bad_level": "“{value}”不是有效关系等级。请使用 1 到 5 的整数。",
    "import.bad_period": "“{value}”不是有效期间。请使用月份（2024-05 或 2024年5月）、季度（2024-Q2）"
    "或年份（2024）。",
    "import.bad_role": "“{value}”不是有效职位。请使用 销售工程师、销售经理 或 销售总监。",
    "import.bad_status": "“{value}”不是有效状态。请使用 赢单、输单 或 进行中（won、lost、open）。",
    "import.unknown_client_type": "“{value}”不是有效客户类型。",
    "import.unknown_visit_type": "“{value}”不是有效拜访方式。",
    "import.spreadsheet_error": "单元格是表格错误值（{value}）。请在源文件中修正公式或直接填写数值。",
    "import.required": "此处必须填写。",
    "import.required_one_of": "每行至少要在以下列之一中填写：{columns}。",
    "import.ragged_row": "该行有 {count} 个值，但表头只有 {width} 列。值中的逗号必须放在双引号内，请检查这一行。",
    "import.duplicate_key": "与第 {other} 行是同一条记录，但此处的值不同（“{this_value}” 与 "
    "“{other_value}”）。请保留其中一行，或给两行不同的编号。",
    "import.same_record": "本行与第 {other} 行指的是同一条记录（一行用编号，一行用名称）。请只保留其中一行。",
    "import.ambiguous_name": "“{name}”与多条同名记录相符。请添加编号列（工号 / 客户编号）指明是哪一条。",
    "import.stale_as_of": "商机 {id} 已有日期为 {latest} 的变更，晚于本次导出的截至日期 {as_of}。"
    "请先导入较早的导出文件，或把 --as-of 设为导出文件的实际日期。",
    "import.note_month_first": "形如 5/6/2024 的日期按“月/日/年”读取（文件中没有能判定顺序的值；"
    "请用 YYYY-MM-DD 以免误读）。",
    "import.note_day_first": "形如 5/6/2024 的日期按“日/月/年”读取，与本文件其他日期列一致。",
    "import.note_mixed_dates_mdy": "该列混有“月/日/年”和“日/月/年”两种日期；按“月/日/年”读取，"
    "其余的报告为错误。",
    "import.note_mixed_dates_dmy": "该列混有“日/月/年”和“月/日/年”两种日期；按“日/月/年”读取，"
    "其余的报告为错误。",
    "import.note_unknown_values": "以下值无法识别，按“{fallback}”保存：{values}。",
    "import.note_not_stored": "识别为 {field}，但 {kind} 文件不保存该字段；已忽略。",
    "import.note_header_row": "表头在第 {row} 行，其上方的行已跳过。",
    "import.note_unit_foreign": "金额按 {currency} 读取（表头中的“{unit}”），按原值保存，未换算为 {company}。",
    "import.note_unit_scale": "金额以 {unit} 为单位（表头中的“{unit}”）：每个值乘以 {scale}。",
    "import.note_unit_money": "金额按 {currency} 读取（表头中的“{unit}”）。",
    "import.note_unit_percent": "按百分数读取（表头中的“{unit}”）：60 即 60%，1 即 1%。",
    "import.note_unit_unused": "表头中的单位“{unit}”对该字段没有意义；按原值读取。",
    "import.note_derived_key": "没有编号列：每个商机由 {columns} 识别（名称已规范化）；下周导出中的同一商机"
    "会更新这条记录。每一行都是一个商机：这些列全部相同的行按其在文件中的顺序区分。",
    "import.note_left_out": "未导入的列：{columns}。",
    "import.refused": "{file} 未导入：有 {rows} 行存在错误。请修正，或只导入有效行（--skip-invalid）。",
    "import.nothing_valid": "{file} 未导入：没有有效的行。",
    "import.more_errors": "……另有 {count} 条。",
    "import.rows_with_errors": "{rows} 行有错误：",
    "import.refused_nothing_written": "已拒绝：数据库中没有写入任何内容。",
    "import.refused_file_not_written": "{file} 未导入；列在它前面的文件已导入。",
    "import.errors_written": "被拒绝的行及原因已写入 {path}。",
    "import.errors_row_header": "原行号",
    "import.errors_reason_header": "错误原因",
    "import.errors_file_header": "文件",
    "import.file_line": "{file}：{kind}，{rows} 行（{how}）",
    "import.sheet": "工作表",
    "import.summary": "批次 {batch}（{kind}）：新增 {added}，更新 {updated}，未变 {unchanged}，拒绝 {refused}。",
    "import.summary_dry_run": "试运行（{kind}），未保存任何内容：将新增 {added}，更新 {updated}，"
    "未变 {unchanged}，拒绝 {refused}。",
    "import.created_reps": "新建销售人员 {count} 名：{names}",
    "import.created_clients": "新建客户 {count} 个：{names}",
    "import.step_reading": "正在读取文件…",
    "import.step_checking": "正在逐行检查…",
    "import.step_checked": "检查完成。",
    "import.step_writing": "正在写入数据库…",
    "import.step_saving": "正在保存…",
    "import.step_done": "完成。",
    "import.no_uploads": "还没有导入记录。",
    "import.upload_line": "#{batch}  {when}  {file}  {kind}：{rows} 行，新增 {added}，更新 {updated}，"
    "未变 {unchanged}，拒绝 {refused}（{user}）",
    "import.undone_on": "已于 {when} 由 {user} 撤销",
    "import.undo_blocked_by": "须先撤销批次 {batches}",
    "import.undone": "批次 {batch} 已撤销：相关数据已恢复到导入之前的状态。",
    "import.undo_unknown": "没有批次 {batch}。",
    "import.undo_twice": "批次 {batch} 已经撤销过（{when}）。",
    "import.undo_later": "批次 {batch} 暂不能撤销：之后的批次 {later} 修改了其中部分数据。请先撤销这些批次。",
    "import.undo_rep_in_use": "批次 {batch} 不能撤销：它新建的销售人员已被其他数据使用（{users}；批次：{batches}）。"
    "请先撤销这些批次。",
    "import.undo_client_in_use": "批次 {batch} 不能撤销：它新建的客户已被其他数据使用（{users}；批次：{batches}）。"
    "请先撤销这些批次。",
    "import.excel_too_many_rows": "工作表在第 {rows} 行有单元格（{cell}）；导入最多读取 {limit} 行。"
    "请删除表格下方的内容（选中这些行，删除工作表行）后重新保存。",
    "import.excel_too_many_columns": "工作表在第 {columns} 列有单元格（{cell}）；导入最多读取 {limit} 列。"
    "请删除表格右侧的内容（选中这些列，删除工作表列）后重新保存。",
    "import.excel_too_many_cells": "工作表共 {rows} 行 × {columns} 列（直到单元格 {cell}）；导入最多读取 "
    "{limit} 个单元格。请删除表格周围的空行和空列，或拆分文件后重新保存。",
    "import.excel_too_large": "工作簿解压后有 {size} MB（主要是 {member}）；导入最多读取 {limit} MB。"
    "请只保存要导入的工作表（或另存为 CSV）后再上传。",
    "import.not_yours_rep": "销售 {record} 属于团队 {team}（区域 {region}），不在您的权限范围内：经理不能修改或调走其他团队的"
    "销售。请删除这一行，或请销售总监导入。",
    "import.not_yours_client": "客户 {record} 的负责人是 {owner}（团队 {team}），不在您的权限范围内：经理不能修改其他团队的"
    "客户。请删除这一行，或请负责人的经理或销售总监处理。",
    "import.not_yours_opportunity": "商机 {record} 属于 {owner}（团队 {team}），不在您的权限范围内：经理不能修改或接手其他"
    "团队的商机。请删除这一行，或请负责人的经理或销售总监处理。",
    "import.not_yours_visit": "拜访 {record} 由 {owner}（团队 {team}）记录，不在您的权限范围内：经理不能修改其他团队的"
    "拜访。请删除这一行（新拜访请去掉拜访编号），或请销售总监处理。",
    "import.needs_own_rep": "这一行没有填写销售：经理只能导入本人所管销售的数据。请填写您团队的一名销售，或删除这一行。",
    "import.undo_not_yours": "批次 {batch} 修改了您权限范围以外的数据（其他团队的数据）：只有销售总监或管理全部相关团队的"
    "经理可以撤销。",
    "import.mixed_encodings": "文件混用了两种文字编码：第 {utf8} 行是 UTF-8，第 {gbk} 行是 GBK/GB18030。"
    "按其中一种读取，另一种的中文会变成乱码。请统一用一种编码重新保存（Excel：另存为“CSV UTF-8”），"
    "或在确定时指定编码。",
    "import.too_long": "共 {length:,} 个字符；此列最多 {limit:,} 个。请缩短内容。",
    "import.bidi_control": "含有不可见的文字方向控制符 {char}，会使名称显示得与实际不同。"
    "请删除该字符（重新输入此值）。",
    "import.too_many_errors": "文件共有 {count:,} 处错误，涉及 {rows:,} 行；只列出前面各行的错误（到第 {last:,} 行，"
    "最多 {limit:,} 处）。错误这么多的文件会被整体拒绝，即使选择只导入有效行：请确认文件没有选错、列的对应关系正确，"
    "改正错误后再检查。",
}
