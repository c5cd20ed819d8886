"""`git log` of a repository as a JSON list of commits (what a git tool returning JSON sends).

Usage: python git_log_json.py REPO REV [MAX]
"""

import json
import subprocess
import sys

FORMAT = "%H%x00%an%x00%ae%x00%aI%x00%cn%x00%cI%x00%P%x00%s%x00%b%x1e"


def main(repo: str, rev: str, limit: int) -> None:
    out = subprocess.run(
        ["git", "-C", repo, "log", f"--max-count={limit}", "--shortstat", f"--format={FORMAT}", rev],
        capture_output=True, text=True, check=True,
    ).stdout
    commits = []
    for chunk in out.split("\x1e"):
        parts = chunk.strip("\n").split("\x00")
        if len(parts) < 9:
            stat = chunk.strip()
            if stat and commits:
                commits[-1]["stats"] = stat
            continue
        if parts[0].startswith("\n") or " changed" in parts[0]:
            stat, _, parts[0] = parts[0].strip().rpartition("\n")
            if commits and stat:
                commits[-1]["stats"] = stat.strip()
        sha, name, email, date, cname, cdate, parents, subject, body = parts[:9]
        commits.append({
            "sha": sha.strip(), "author": {"name": name, "email": email, "date": date},
            "committer": {"name": cname, "date": cdate}, "parents": parents.split(),
            "subject": subject, "body": body.strip(),
        })
    json.dump(commits, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 150)
