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
}
