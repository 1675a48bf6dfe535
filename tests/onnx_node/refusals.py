"""refusals.py — the documented refusal list (tests/onnx_node/refusals.txt).

Two kinds of line (docs/node_tests.md explains the categories):
    @CATEGORY | REGEX | description      (fields split on " | ")
        a reason; REGEX (Python, case-insensitive) must be found in the
        refusal message, so an entry cannot hide a refusal for another reason
    TEST-GLOB  DEVICES  CATEGORY
        fnmatch glob on the node test's name; DEVICES is ref, cl (the OpenCL
        path, whatever device) or * (both), comma-separated
A refusal is documented when the first entry matching its test and device
names a category whose REGEX matches the message. An entry none of whose
tests is refused on a device it names (on a run that covered them) is stale:
the suite reports it and fails, so the list always equals what clcnn refuses."""
import fnmatch
import re

DEVICES = ("ref", "cl")


class Entry:
    def __init__(self, glob, devices, category, line):
        self.glob, self.devices, self.category, self.line = glob, devices, category, line
        self.refused = {d: 0 for d in devices}   # refusals it documented, per device
        self.matched = {d: 0 for d in devices}   # selected tests it matches that ran there


class Refusals:
    def __init__(self, path):
        self.path, self.categories, self.entries = path, {}, []
        with open(path, encoding="utf-8") as f:
            for no, raw in enumerate(f, 1):
                line = raw.split("#", 1)[0].strip()
                if line:
                    self._parse(line, no)

    def _parse(self, line, no):
        where = f"{self.path}:{no}"
        if line.startswith("@"):
            parts = [p.strip() for p in line[1:].split(" | ")]
            if len(parts) != 3 or not parts[0] or not parts[1]:
                raise ValueError(f"{where}: want '@CATEGORY | REGEX | description'")
            self.categories[parts[0]] = (re.compile(parts[1], re.I), parts[2])
            return
        parts = line.split()
        if len(parts) != 3:
            raise ValueError(f"{where}: want 'TEST-GLOB DEVICES CATEGORY'")
        glob, devs, cat = parts
        devices = DEVICES if devs == "*" else tuple(devs.split(","))
        if any(d not in DEVICES for d in devices):
            raise ValueError(f"{where}: devices '{devs}' (want ref, cl or *)")
        if cat not in self.categories:
            raise ValueError(f"{where}: category '{cat}' is not declared by an '@{cat} | ...' line above")
        self.entries.append(Entry(glob, devices, cat, no))

    def entry(self, name, dev):
        for e in self.entries:
            if dev in e.devices and fnmatch.fnmatchcase(name, e.glob):
                return e
        return None

    def saw(self, name, dev):
        """Records that test `name` ran on `dev` (for the staleness check)."""
        e = self.entry(name, dev)
        if e:
            e.matched[dev] += 1

    def judge(self, name, dev, message):
        """(category, None) when the refusal is documented, else (None, why not)."""
        e = self.entry(name, dev)
        if e is None:
            return None, "not in the refusal list"
        rx = self.categories[e.category][0]
        if not rx.search(message):
            return None, (f"listed as '{e.category}' ({self.path}:{e.line}) but the message does not "
                          f"match /{rx.pattern}/")
        e.refused[dev] += 1
        return e.category, None

    def guess(self, message):
        """The first declared category whose REGEX matches message, else '?'."""
        return next((c for c, (rx, _) in self.categories.items() if rx.search(message)), "?")

    def stale(self, devices_run):
        """Lines for entries that documented no refusal on a device they name
        that this run covered, although the run had tests they match there."""
        out = []
        for e in self.entries:
            for d in e.devices:
                if d in devices_run and e.matched[d] and not e.refused[d]:
                    out.append(f"{self.path}:{e.line}: '{e.glob} {d} {e.category}': "
                               f"all {e.matched[d]} matching test(s) ran without refusal on {d}")
        return out

    def unused(self, devices_run):
        """Entries that matched no selected test on any device run (op no
        longer claimed, test renamed by a newer onnx, or filtered by -k)."""
        return [f"{self.path}:{e.line}: '{e.glob}' matches no selected test"
                for e in self.entries
                if any(d in devices_run for d in e.devices)
                and not any(e.matched[d] for d in e.devices if d in devices_run)]
