"""Messages of the backup and restore commands."""

EN = {
    "backup.done": "Backup written to {path} ({size} MB, schema {schema}, checksum in {manifest}):",
    "backup.restored": "Database {db} restored from {path} (taken {when}):",
    "backup.restore_needs_yes": "Restoring replaces every row of {db} with the backup's. Run again "
    "with --yes to go ahead (take a backup first if unsure).",
    "backup.listed": "{path}  {when}  schema {schema}  {size} MB  {visits} visits",
    "backup.none": "No backups in {path}.",
    "backup.missing": "There is no backup file at {path}.",
    "backup.no_manifest": "The backup's manifest {path} is missing: without it the copy cannot "
    "be checked. Use a backup written by `python -m salesmgmt backup`.",
    "backup.bad_manifest": "The backup's manifest {path} cannot be read ({detail}).",
    "backup.checksum": "The backup {path} does not match the checksum in its manifest: the file "
    "was changed or damaged. Use another backup.",
    "backup.verify_failed": "The copy {path} did not hold the same rows as the database; nothing "
    "was kept. Try again.",
    "backup.unexpected_name": "Unexpected table or column name {name} in the database.",
    "keys.no_file": "This database is not a file, so it has no key beside it. Set SALESMGMT_SECRET.",
    "keys.env_too_short": "{name} must be at least {n} characters long (a random string, kept secret).",
    "keys.damaged": "The key file {path} is damaged. Restore it from where you keep secrets, or "
    "delete it to make a new one (everyone is signed out; older backups can no longer be verified).",
    "keys.rotate_env": "The secret comes from {name}: change that variable to rotate it.",
    "backup.out_not_dir": "{path} is a file: --out takes the folder the backups go into.",
    "backup.not_a_backup": "{path} is not a backup (not a DuckDB file). Use a .duckdb file written "
    "by `python -m salesmgmt backup`.",
    "backup.unsigned": "The manifest {path} has no signature: only backups written by `python -m "
    "salesmgmt backup` of this installation (since signing began) can be restored. If you trust "
    "an older copy, stop the app and put the file in place of the database by hand.",
    "backup.signature": "The manifest {path} does not carry this installation's signature: the "
    "backup was made elsewhere, or the manifest was changed. Nothing was restored.",
    "backup.no_key": "This installation's key {file} is missing, so the backup's signature cannot be "
    "checked. Put the key file back (from where you keep secrets), or point {name} at it.",
    "backup.preview_title": "Restoring {path} (taken {when}) into {db}:",
    "backup.preview_new_file": "The database file does not exist: the backup becomes the database "
    "(without its sessions: everyone signs in again).",
    "backup.preview_table": "table",
    "backup.preview_now": "now",
    "backup.preview_after": "after",
    "backup.preview_batches_removed": "Upload batches imported since the backup go, with their rows: {items}",
    "backup.preview_batches_added": "Upload batches of the backup that come back: {items}",
    "backup.preview_users_added": "Users only in the backup, added as they were: {items}",
    "backup.preview_users_not_in_backup": "Users added since the backup, kept: {items}",
    "backup.preview_users_kept_disabled": "Disabled since the backup, they stay disabled: {items}",
    "backup.preview_users_kept_enabled": "Disabled in the backup, they stay active: {items}",
    "backup.preview_users_password_kept": "Password changed since the backup, the current one stays: {items}",
    "backup.preview_users_rule": "Users keep their current passwords, roles and active flags, and "
    "signed-in sessions stay as they are: a restore never changes who can sign in.",
    "backup.preview_audit": "Audit log: every row stays; {added} row(s) of the backup missing now are "
    "added, and the restore is recorded.",
}

ZH = {
    "backup.done": "备份已写入 {path}（{size} MB，数据结构版本 {schema}，校验信息见 {manifest}）：",
    "backup.restored": "数据库 {db} 已从 {path}（备份于 {when}）恢复：",
    "backup.restore_needs_yes": "恢复会用备份中的数据替换 {db} 的全部数据。确认无误请加 --yes 再运行"
    "（如不确定，请先备份当前数据库）。",
    "backup.listed": "{path}  {when}  数据结构版本 {schema}  {size} MB  拜访 {visits} 条",
    "backup.none": "{path} 中没有备份。",
    "backup.missing": "找不到备份文件 {path}。",
    "backup.no_manifest": "缺少备份说明文件 {path}，无法校验备份。请使用 `python -m salesmgmt backup` "
    "生成的备份。",
    "backup.bad_manifest": "无法读取备份说明文件 {path}（{detail}）。",
    "backup.checksum": "备份 {path} 与说明文件中的校验值不符：文件已被修改或损坏。请换用其他备份。",
    "backup.verify_failed": "副本 {path} 与数据库的数据不一致，未保留该副本。请重试。",
    "backup.unexpected_name": "数据库中出现意外的表名或列名 {name}。",
    "keys.no_file": "该数据库不是文件，旁边无法保存密钥。请设置 SALESMGMT_SECRET。",
    "keys.env_too_short": "{name} 至少需要 {n} 个字符（随机字符串，请保密）。",
    "keys.damaged": "密钥文件 {path} 已损坏。请从保管密钥的地方恢复，或删除后重新生成（所有用户将被登出，旧备份将无法验证）。",
    "keys.rotate_env": "密钥来自环境变量 {name}：请修改该变量来更换密钥。",
    "backup.out_not_dir": "{path} 是文件：--out 应为存放备份的文件夹。",
    "backup.not_a_backup": "{path} 不是备份（不是 DuckDB 文件）。请使用 `python -m salesmgmt backup` 生成的 .duckdb 文件。",
    "backup.unsigned": "说明文件 {path} 没有签名：只能恢复本系统 `python -m salesmgmt backup` 生成的（开始签名之后的）备份。"
    "如确信旧副本可靠，请停止应用后手动用该文件替换数据库。",
    "backup.signature": "说明文件 {path} 没有本系统的签名：该备份来自别处，或说明文件被改动过。未恢复任何数据。",
    "backup.no_key": "缺少本系统的密钥 {file}，无法校验备份的签名。请从保管密钥的地方放回密钥文件，或用 {name} 指向它。",
    "backup.preview_title": "将 {path}（备份于 {when}）恢复到 {db}：",
    "backup.preview_new_file": "数据库文件不存在：备份将直接成为数据库（不含其登录会话：所有人需重新登录）。",
    "backup.preview_table": "表",
    "backup.preview_now": "现在",
    "backup.preview_after": "恢复后",
    "backup.preview_batches_removed": "备份之后导入的批次及其数据将被移除：{items}",
    "backup.preview_batches_added": "备份中将恢复的导入批次：{items}",
    "backup.preview_users_added": "仅在备份中的用户，按备份原样添加：{items}",
    "backup.preview_users_not_in_backup": "备份之后新增的用户，保留：{items}",
    "backup.preview_users_kept_disabled": "备份之后已停用的用户，保持停用：{items}",
    "backup.preview_users_kept_enabled": "备份中为停用、现为启用的用户，保持启用：{items}",
    "backup.preview_users_password_kept": "备份之后改过密码的用户，保留当前密码：{items}",
    "backup.preview_users_rule": "用户保留当前的密码、角色和启用状态，已登录的会话保持不变：恢复不会改变谁能登录。",
    "backup.preview_audit": "审计日志：现有记录全部保留；补回备份中现已缺失的 {added} 条，并记录本次恢复。",
}
