"""Splits a perf profile of the backend (perf script output) into where its time goes.

    perf script -i perf.data > stacks.txt; python3 bench/profile_split.py stacks.txt

Each sample is counted once, under the first rule whose pattern one of its frames matches.
"""
import sys, re, collections
# (category, pattern) checked in order against the whole stack (any frame)
rules = [
 ("DDL event trigger (drift log)", r"EventTrigger|ddl_command|ddl_events|record_ddl"),
 ("registration (migrate_load_dir)", r"register_migration|load_dir|migration_checksum|read_folder"),
 ("drift check / schema snapshot", r"record_schema_snapshot|report_drift|schema_fingerprint"),
 ("lint", r"check_lint_policy|lint_script|ms::pg::lint"),
 ("user statements", r"execute_statements"),
 ("applied rows: tracking trigger", r"(record_applied|RunRecord::write)[\s\S]*plpgsql_exec_trigger|plpgsql_exec_trigger[\s\S]*(record_applied|RunRecord::write)"),
 ("applied rows: insert", r"record_applied|RunRecord::write|clear_failure"),
 ("history rows", r"append_history"),
 ("reading scripts/checksums", r"load_script|load_checksum|load_step"),
 ("parse scripts", r"parse_script|parse_all"),
 ("planning (registry reads, lock)", r"apply_body|ProjectOperation|everything_applied|load_registered|load_applied|plan_apply"),
 ("commit (WAL flush, file sync)", r"CommitTransaction|XLogFlush|smgrimmedsync|smgrDoPendingSyncs"),
]
cnt = collections.Counter(); total = 0
stack = []
def flush():
    global total
    if not stack: return
    total += 1
    s = "\n".join(stack)
    for cat, pat in rules:
        if re.search(pat, s):
            cnt[cat] += 1; break
    else:
        cnt["other (client protocol, idle, unresolved)"] += 1
for line in open(sys.argv[1], errors="replace"):
    if not line.strip():
        flush(); stack = []
    elif line.startswith("\t") or line.startswith(" "):
        stack.append(line.strip())
flush()
for cat, n in cnt.most_common():
    print(f"| {cat} | {100*n/total:.1f}% |")
print(f"| samples | {total} |")
