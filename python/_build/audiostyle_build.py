"""A PEP 517 build backend for a pure-Python package, in the tree, so that `pip install ./python`
needs nothing from an index (build isolation then installs no requirements at all) and no
compiler: it zips audiostyle/*.py and *.json with the wheel metadata (PEP 427, PEP 566)."""
import base64
import hashlib
import os
import tarfile
import zipfile

try:
    import tomllib
except ImportError:  # Python < 3.11: read the few keys we need by hand
    tomllib = None

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _project():
    path = os.path.join(HERE, "pyproject.toml")
    if tomllib:
        with open(path, "rb") as f:
            return tomllib.load(f)["project"]
    proj, section = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "project" and "=" in line and line.split("=")[0].strip() in (
                "name", "version", "description", "requires-python"):
            k, v = line.split("=", 1)
            proj[k.strip()] = v.strip().strip('"')
    proj["dependencies"] = ["numpy", "cffi"]
    return proj


def _metadata(p):
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"],
             "Summary: " + p.get("description", "")]
    if "requires-python" in p:
        lines.append("Requires-Python: " + p["requires-python"])
    lines += ["Requires-Dist: " + d for d in p.get("dependencies", [])]
    readme = os.path.join(HERE, "README.md")
    body = open(readme, encoding="utf-8").read() if os.path.exists(readme) else ""
    return "\n".join(lines) + "\nDescription-Content-Type: text/markdown\n\n" + body


def _files():
    pkg = os.path.join(HERE, "audiostyle")
    for name in sorted(os.listdir(pkg)):
        if name.endswith((".py", ".json")):
            yield os.path.join(pkg, name), "audiostyle/" + name


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def _wheel(wheel_directory, editable):
    p = _project()
    tag = "py3-none-any"
    dist = "%s-%s" % (p["name"], p["version"])
    whl = os.path.join(wheel_directory, dist + "-" + tag + ".whl")
    info = dist + ".dist-info/"
    records = []
    with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as z:
        def add(arc, data):
            z.writestr(zipfile.ZipInfo(arc, date_time=(1980, 1, 1, 0, 0, 0)), data)
            records.append("%s,%s,%d" % (arc, _record_hash(data), len(data)))
        if editable:
            add("audiostyle_editable.pth", (HERE + "\n").encode())
        else:
            for src, arc in _files():
                with open(src, "rb") as f:
                    add(arc, f.read())
        add(info + "METADATA", _metadata(p).encode())
        add(info + "WHEEL", ("Wheel-Version: 1.0\nGenerator: audiostyle_build\n"
                             "Root-Is-Purelib: true\nTag: %s\n" % tag).encode())
        records.append(info + "RECORD,,")
        z.writestr(zipfile.ZipInfo(info + "RECORD", date_time=(1980, 1, 1, 0, 0, 0)),
                   "\n".join(records) + "\n")
    return os.path.basename(whl)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, editable=False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, editable=True)


def build_sdist(sdist_directory, config_settings=None):
    p = _project()
    dist = "%s-%s" % (p["name"], p["version"])
    path = os.path.join(sdist_directory, dist + ".tar.gz")
    with tarfile.open(path, "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/audiostyle_build.py"]:
            t.add(os.path.join(HERE, rel), dist + "/" + rel)
        for src, arc in _files():
            t.add(src, dist + "/" + arc)
        info = tarfile.TarInfo(dist + "/PKG-INFO")
        data = _metadata(p).encode()
        info.size = len(data)
        import io
        t.addfile(info, io.BytesIO(data))
    return os.path.basename(path)
