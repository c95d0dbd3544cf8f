# imr-serve's page in a real browser, as a person uses it: headless Chromium (Selenium) on the
# real imr-serve over a database the real imr-index built from imr-corpus letters plus one planted
# letter carrying script and markup. Every number the page shows is checked against imr-search.
#
# Run by ctest (label browser); by hand: IMRDEX_{CORPUS,INDEX,SEARCH,SERVE}_BIN=... /usr/bin/python3
# tests/browser/test_page.py. Exits 77 (skipped) only when chromium, chromedriver or Selenium is
# missing. IMRDEX_KEEP_TMP keeps the temporary directory (database, server log, screenshot).
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402

PLANTED_ID = "CM19-0000666"
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror="window.__pwned=2">'
# The letter layout the parser reads (see corpus/samples/); the payloads sit in the request, the
# rationale and the summary, and non-ASCII text (2-, 3- and 4-byte UTF-8) precedes highlighted
# words, so that the page's byte-offset to string-index conversion is exercised.
PLANTED = f"""Case Number:
Date Assigned:
Decision Date:
Priority:

{PLANTED_ID}
01/09/2019
02/03/2019
Standard

Date of Injury:
UR Denial Date:
Application
Received:

09/12/2018
12/15/2018
01/04/2019

HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no
affiliation with the employer, employee, providers or the claims administrator.
The Expert Reviewer has the following credentials:
State(s) of Licensure: California
Certification(s)/Specialty: Anesthesiology, Pain Management
CLINICAL CASE SUMMARY
The expert reviewer developed the following clinical case summary based on a review of the
case file, including all medical records:
This is a 45 year old female with a date of injury on 09-12-2018. A xylophonist, she fell from
a stage. {IMG} She has low back pain.
IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:
Xylophonist brace {SCRIPT} for the lumbar spine: Upheld
Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
Decision rationale: The café’s naïve xylophonist — 😀 — says {SCRIPT} and
{IMG} with no functional goal; the xylophonist’s brace is not
medically necessary.
Acupuncture 6 sessions: Overturned
Claims Administrator guideline: Decision based on MTUS Acupuncture Treatment 2007.
MAXIMUS guideline: Decision based on MTUS Acupuncture Treatment 2007.
Decision rationale: An initial trial of up to six acupuncture treatments is allowed to show
functional improvement for the xylophonist. The request is medically necessary.
"""

ENV = {k: os.environ.get("IMRDEX_" + k.upper() + "_BIN", "")
       for k in ("corpus", "index", "search", "serve")}


def run(*args, binary="search"):
    p = subprocess.run([ENV[binary], *args], capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"{binary} {args} exited {p.returncode}: {p.stderr.decode()}")
    return p.stdout


class Db:
    def __init__(self, path):
        self.path = path

    def search_json(self, query, *extra):
        return json.loads(run("--db", self.path, "--json", *extra, query))

    def count(self, query):
        return self.search_json(query, "--count")["total"]

    def facets(self, query, names):
        return self.search_json(query, "--limit", "0", "--facets", ",".join(names))["facets"]


def term(facet, value):
    """One filter as imr-search query text, written here independently of the server."""
    if facet.endswith(":year"):  # a bucket: the year range of that date field
        return facet.split(":")[0] + ":" + value
    return f'{facet}:"{value}"' if re.search(r"[\s()]", value) else f"{facet}:{value}"


def compose(q, filters, skip=None):
    """The contract's query: q AND, per facet, the OR of its values; `skip` leaves a facet out."""
    groups = {}
    for f in filters:
        facet, value = f.rsplit(":", 1)
        groups.setdefault(facet, []).append(value)
    parts = [f"({q})"] if q else []
    parts += ["(" + " OR ".join(term(f, v) for v in vals) + ")"
              for f, vals in groups.items() if f != skip]
    return " AND ".join(parts) if parts else "*"


class Page:
    def __init__(self, driver, url):
        self.d = driver
        self.url = url

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def act(self, action, load=False):
        """Runs a user action, then waits for the page to draw its answer; `load`: the action
        loads the page anew, which starts its count of renders again."""
        before = 0 if load else browser.rendered(self.d)
        action()
        browser.wait_render(self.d, before)

    def total(self):
        t = self.js("return document.getElementById('total').dataset.total")
        assert t not in (None, ""), "no total shown; error box: " + self.error()
        return int(t)

    def error(self):
        return self.js("const e = document.getElementById('error'); return e.hidden ? '' : e.textContent")

    def params(self):
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.d.current_url).query)

    def shown_facets(self):
        """{facet: {value: count}} as the sidebar shows them."""
        return self.js("""
            const out = {};
            for (const s of document.querySelectorAll('#facets section.facet')) {
              const values = {};
              for (const li of s.querySelectorAll('li')) {
                const name = li.querySelector('.facet-value').textContent;
                values[name] = Number(li.querySelector('.count').dataset.count);
              }
              out[s.dataset.facet] = values;
            }
            return out;""")

    def checkbox(self, facet, value):
        return self.d.find_element(
            "css selector", f'#facets input[data-facet="{facet}"][data-value="{value}"]')

    def search(self, text):
        box = self.d.find_element("id", "q")
        box.clear()
        box.send_keys(text)
        self.act(lambda: box.send_keys("\n"))


def check_hits(page, db, query, *extra):
    """The hits shown are imr-search's first page, in its order, and each highlight marks the bytes
    imr-search's snippet names ([start, length] into its UTF-8), converted to the page's text."""
    want = db.search_json(query, "--limit", "20", *extra)["hits"]
    shown = page.js("""
        return [...document.querySelectorAll('#hits li.hit')].map(li => [
          li.dataset.id, Number(li.dataset.item),
          [...li.querySelectorAll('.snippet mark')].map(m => m.textContent)])""")
    assert [h[:2] for h in shown] == [[h["id"], h["item"]] for h in want], \
        f"hits {[h[:2] for h in shown]}, imr-search {[(h['id'], h['item']) for h in want]}"
    marks = 0
    for (hid, item, got), h in zip(shown, want):
        text = h["snippet"]["text"].encode() if h["snippet"] else b""
        expected = [text[a:a + n].decode() for a, n in (h["snippet"] or {}).get("highlights", [])]
        assert got == expected, f"{hid} item {item}: highlights {got}, imr-search's {expected}"
        marks += len(got)
    assert marks, "no highlighted word in the snippets"
    return marks


def check_facets(page, db, q, filters, what):
    """Every count the sidebar shows equals imr-search's count for the composed query, where the
    counts of a facet leave out that facet's own filters."""
    shown = page.shown_facets()
    for facet in ("decision", "category", "specialty", "decided:year", "sex", "state"):
        assert facet in shown, f"{what}: no {facet} facet in the sidebar ({list(shown)})"
    checked = 0
    for facet, values in shown.items():
        expected = db.facets(compose(q, filters, skip=facet), [facet])[facet]
        for value, count in values.items():
            want = expected.get(value, 0)
            assert count == want, (f"{what}: facet {facet} value {value!r} shows {count}, "
                                   f"imr-search counts {want} for {compose(q, filters, facet)}")
            checked += 1
        # The sidebar shows the most frequent values (and the chosen ones) of each facet.
        if not facet.endswith(":year") and not facet.startswith("age:"):
            top = sorted((c for v, c in expected.items() if v != "(none)"), reverse=True)[:8]
            shown_counts = sorted((c for v, c in values.items() if v != "(none)"), reverse=True)
            assert shown_counts[:len(top)] == top, f"{what}: {facet} shows {shown_counts}, top {top}"
    return checked


def main():
    for k, v in ENV.items():
        if not v or not os.access(v, os.X_OK):
            print(f"FAIL: IMRDEX_{k.upper()}_BIN is not an executable: {v!r}")
            return 1
    browser.chromium_paths()  # skips when the browser is missing
    tmp = tempfile.mkdtemp(prefix="imrdex-browser-")
    server = driver = None
    ok = False
    try:
        letters = os.path.join(tmp, "letters")
        run("-n", "400", "-s", "16", "-o", letters, "-f", "txt", binary="corpus")
        planted = os.path.join(tmp, PLANTED_ID + ".txt")
        with open(planted, "w", encoding="utf-8") as f:
            f.write(PLANTED)
        dbdir = os.path.join(tmp, "db")
        run("--db", dbdir, "--quiet", os.path.join(letters, "txt"), planted, binary="index")
        db = Db(dbdir)
        server = browser.Server(ENV["serve"], dbdir, os.path.join(tmp, "serve.log"))
        downloads = os.path.join(tmp, "downloads")
        os.makedirs(downloads)
        driver = browser.start_browser(download_dir=downloads)
        page = Page(driver, server.url)
        step_open(page, db, server)
        q = step_query(page, db)
        filters = step_facets(page, db, q)
        step_chart(page, db, q, filters)
        step_significant(page, server, q, filters)
        driver.save_screenshot(os.path.join(tmp, "page.png"))
        step_letter(page, db)
        step_csv(page, db, q, filters, downloads)
        step_planted(page, db)
        step_errors(page)
        step_console(page)
        ok = True
        print("PASS: the page's search, facets, chart, letter, CSV and escaping all agree with imr-search")
    except Exception:
        traceback.print_exc()
        if driver:
            try:
                driver.save_screenshot(os.path.join(tmp, "failure.png"))
                print("page at failure:", driver.current_url, file=sys.stderr)
            except Exception:
                pass
    finally:
        if driver:
            driver.quit()
        if server:
            server.stop()
        if os.environ.get("IMRDEX_KEEP_TMP") or not ok:
            print("kept " + tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


def step_open(page, db, server):
    """1. The page opens and comes from the embedded assets, under the contract's CSP."""
    with urllib.request.urlopen(server.url + "/") as r:
        csp = r.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, "CSP header: " + csp
        assert r.headers.get("X-Content-Type-Options") == "nosniff"
    page.act(lambda: page.d.get(server.url + "/"), load=True)
    assert page.d.find_element("id", "q").is_displayed()
    assert "imrdex" in page.d.title
    # With no query the page shows every item, the server's reading of an empty q.
    assert page.total() == db.count("*"), f"landing total {page.total()}, {db.count('*')} items"
    print("1. page opened:", page.d.title, f"({page.total()} items)")


def step_query(page, db):
    """2. Typing a query shows its total, and the URL carries it."""
    q = 'rationale:"functional improvement" OR acupuncture'
    page.search(q)
    want = db.count(q)
    assert want > 20, f"test corpus too small: {want} matches"
    got = page.total()
    assert got == want, f"page total {got}, imr-search --count {want}"
    assert page.params().get("q") == [q], page.d.current_url
    marks = check_hits(page, db, q)
    # Paging: the next page is imr-search's --offset 20, and the URL says so.
    page.act(page.d.find_elements("css selector", "#pager button.page")[-1].click)
    assert page.params().get("offset") == ["20"], page.d.current_url
    check_hits(page, db, q, "--offset", "20")
    # Grouped by letter: the total counts letters, as imr-search --by-letter does.
    page.act(page.d.find_element("id", "by-letter").click)
    letters = db.search_json(q, "--count", "--by-letter")["total"]
    assert page.total() == letters, f"by letter: page {page.total()}, imr-search {letters}"
    assert page.params().get("by_letter") == ["1"] and "offset" not in page.params()
    check_hits(page, db, q, "--by-letter")
    page.act(page.d.find_element("id", "by-letter").click)
    assert page.total() == want
    # Sorted by decision date, newest first, as imr-search --sort decided.
    sort = page.d.find_element("id", "sort")
    page.act(lambda: browser.select(sort, "decided"))
    assert page.params().get("sort") == ["decided"], page.d.current_url
    check_hits(page, db, q, "--sort", "decided")
    page.act(lambda: browser.select(sort, "relevance"))
    assert "sort" not in page.params()
    print(f"2. query {q!r}: {got} items; hits and {marks} highlights as imr-search --json; "
          "next page, by letter and sorted by date too")
    return q


def step_facets(page, db, q):
    """3. Ticking facet values changes the total and the counts to imr-search's numbers."""
    checked = check_facets(page, db, q, [], "no filter")
    cats = list(page.shown_facets()["category"])
    first, second = cats[0], cats[1]
    filters = []
    for facet, value in (("category", first), ("category", second), ("decision", "overturned")):
        box = page.checkbox(facet, value)
        page.act(box.click)
        filters.append(f"{facet}:{value}")
        want = db.count(compose(q, filters))
        got = page.total()
        assert got == want, f"after ticking {filters}: page {got}, imr-search {want}"
        assert page.params().get("filter") == filters, page.d.current_url
        assert page.checkbox(facet, value).is_selected()
        checked += check_facets(page, db, q, filters, f"filters {filters}")
        print(f"3. filters {filters}: {got} items")
    # The category counts ignore the category filters: both values still show their own counts.
    cat_counts = page.shown_facets()["category"]
    assert cat_counts[first] > 0 and cat_counts[second] > 0
    # Back and forward walk the URL history, and the page follows.
    page.act(page.d.back)
    assert page.total() == db.count(compose(q, filters[:2])), "after back"
    assert not page.checkbox("decision", "overturned").is_selected()
    page.act(page.d.forward)
    assert page.total() == db.count(compose(q, filters)), "after forward"
    # A bookmarked URL opens the same view in a fresh load.
    url = page.d.current_url
    page.act(lambda: page.d.get(url), load=True)
    assert page.total() == db.count(compose(q, filters)), "after reloading " + url
    assert page.d.find_element("id", "q").get_attribute("value") == q
    # A bucket filter (a decision year), ticked then unticked again.
    year = next(v for v in page.shown_facets()["decided:year"] if v != "(none)")
    page.act(page.checkbox("decided:year", year).click)
    with_year = filters + [f"decided:year:{year}"]
    assert page.total() == db.count(compose(q, with_year)), f"after ticking {with_year}"
    checked += check_facets(page, db, q, with_year, f"filters {with_year}")
    page.act(page.checkbox("decided:year", year).click)
    assert page.params().get("filter") == filters, page.d.current_url
    assert page.total() == db.count(compose(q, filters)), "after unticking the year"
    print(f"3. filters {with_year}: ticked and unticked")
    print(f"3. {checked} facet counts equal imr-search's; back, forward and reload keep the state")
    return filters


def step_chart(page, db, q, filters):
    """The chart draws the decision years of the composed query, one bar stack per year."""
    pivot = db.search_json(compose(q, filters), "--pivot", "decided:year,decision")
    years = sorted({c["decided:year"] for c in pivot["cells"] if c["count"] and c["decided:year"] != "(none)"})
    labels = page.js("return [...document.querySelectorAll('#chart .axis-bottom text:not(.axis-title)')].map(t => t.textContent)")
    assert len(years) <= 16, "more years than the chart labels"
    # Years without an item between the first and last are not drawn (the pivot has no row).
    rows = [r for r in dict.fromkeys(c["decided:year"] for c in pivot["cells"]) if r != "(none)"]
    assert labels == rows, f"chart years {labels}, pivot rows {rows}"
    bars = page.js("return [...document.querySelectorAll('#chart rect.bar')].map(r => r.querySelector('title').textContent)")
    want = [f"{c['decided:year']}: {c['count']:,} {c['decision']}" for c in pivot["cells"]
            if c["count"] and c["decided:year"] != "(none)" and c["decision"] in ("upheld", "overturned")]
    assert sorted(bars) == sorted(want), f"chart bars {bars}, pivot {want}"
    print(f"   chart: {len(labels)} years, {len(bars)} bars as imr-search --pivot")


def step_significant(page, server, q, filters):
    """The significant words panel shows the server's terms where /api/significant answers, and
    stays hidden where it does not."""
    params = urllib.parse.urlencode([("q", q)] + [("filter", f) for f in filters] + [("limit", "15")])
    try:
        with urllib.request.urlopen(server.url + "/api/significant?" + params) as r:
            terms = [t["word"] or t["stem"] for t in json.load(r)["terms"]]
    except urllib.error.HTTPError as e:
        assert e.code == 404, f"/api/significant answered {e.code}"
        terms = None
    hidden = page.js("return document.getElementById('significant').hidden")
    shown = page.js("return [...document.querySelectorAll('#significant-list a')].map(a => a.textContent)")
    if terms is None:
        assert hidden, "significant words panel shown without /api/significant"
        print("   significant words: not served (404), panel hidden")
    else:
        assert shown == terms and (hidden == (not terms)), f"panel {shown}, server {terms}"
        print(f"   significant words: {len(terms)} as /api/significant")


def step_letter(page, db):
    """4. A hit's letter opens with every one of its items."""
    hit = page.d.find_element("css selector", "#hits li.hit")
    link = hit.find_element("css selector", "a.letter-link")
    letter_id = link.get_attribute("data-letter")
    item = hit.get_attribute("data-item")
    page.act(link.click)
    focused = page.js("return [...document.querySelectorAll('#letter li.item.focused')].map(li => li.dataset.item)")
    assert focused == [item], f"focused item {focused}, the hit was item {item}"
    assert page.params().get("letter") == [letter_id], page.d.current_url
    assert page.d.find_element("id", "letter-view").is_displayed()
    assert not page.d.find_element("id", "results-view").is_displayed()
    record = json.loads(run("--db", db.path, "--show", letter_id, "--json"))
    requests = [e.text for e in page.d.find_elements("css selector", "#letter li.item .item-request")]
    assert requests == [i["request"] for i in record["items"]], f"letter items {requests}"
    rationales = [e.text for e in page.d.find_elements("css selector", "#letter li.item .rationale")]
    for shown, item in zip(rationales, record["items"]):
        assert shown == "Decision rationale: " + item["rationale"], shown
    page.act(page.d.back)
    assert page.d.find_element("id", "results-view").is_displayed()
    print(f"4. letter {letter_id}: {len(requests)} items as imr-search --show")


def step_csv(page, db, q, filters, downloads):
    """5. The CSV link downloads exactly imr-search's full export of the current result."""
    link = page.d.find_element("id", "csv-link")
    href = link.get_attribute("href")
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
    assert params.get("q") == [q] and params.get("filter") == filters, href
    link.click()
    path = os.path.join(downloads, "imrdex-export.csv")
    deadline = time.time() + 30
    while not (os.path.exists(path) and not any(n.endswith(".crdownload") for n in os.listdir(downloads))):
        assert time.time() < deadline, f"no download in 30 s: {os.listdir(downloads)}"
        time.sleep(0.1)
    with open(path, "rb") as f:
        got = f.read()
    want = run("--db", db.path, "--limit", "all", "--csv", compose(q, filters))
    assert got == want, f"CSV differs: {len(got)} bytes downloaded, imr-search wrote {len(want)}"
    rows = got.count(b"\n") - 1
    print(f"5. CSV: {rows} rows, {len(got)} bytes, equal to imr-search --limit all --csv")


def step_planted(page, db):
    """6. The planted letter's script and markup show as text and never run."""
    page.act(lambda: page.d.get(page.url + "/"), load=True)
    page.search("xylophonist")
    assert page.total() == db.count("xylophonist")
    hit_text = page.js("return document.getElementById('hits').textContent")
    assert SCRIPT in hit_text, "the planted request is not shown as text among the hits"
    # Highlights land on the word, also after 2-, 3- and 4-byte characters in the same snippet.
    check_hits(page, db, "xylophonist")
    assert any("😀" in s for s in page.js(
        "return [...document.querySelectorAll('#hits .snippet')].map(s => s.textContent)")), \
        "the non-ASCII snippet is not among the hits"
    link = page.d.find_element("css selector", f'#hits a.letter-link[data-letter="{PLANTED_ID}"]')
    page.act(link.click)
    text = page.js("return document.getElementById('letter').textContent")
    assert text.count(SCRIPT) == 2, "the script tag is not shown as text in request and rationale"
    assert text.count(IMG) == 2, "the img markup is not shown as text in summary and rationale"
    assert page.js("return typeof window.__pwned") == "undefined", "the planted script ran"
    assert page.js("return document.querySelectorAll('script:not([src]), img').length") == 0, \
        "the planted markup became elements"
    try:
        alert = page.d.switch_to.alert
        raise AssertionError("an alert is open: " + alert.text)
    except AssertionError:
        raise
    except Exception:
        pass  # no alert
    print("6. planted letter: script and markup shown as text, nothing ran")


def step_errors(page):
    """A bad query and an unknown letter show the server's message, and no stale results."""
    page.search("class:opiod")
    err = page.error()
    assert "opiod" in err and "opioid" in err, f"error box: {err!r}"
    assert page.js("return document.querySelectorAll('#hits li').length") == 0
    page.act(lambda: page.d.get(page.url + "/?letter=CM00-0000000"), load=True)
    err = page.error()
    assert "CM00-0000000" in err, f"error box: {err!r}"
    assert page.js("return document.getElementById('letter').children.length") == 0
    print("7. a bad query and an unknown letter show the server's message")


def step_console(page):
    """The page logged no error: no CSP violation, no script error (a 404 from /api/significant,
    an endpoint the page only probes for, is allowed)."""
    bad = [e for e in page.d.get_log("browser")
           if e["level"] == "SEVERE" and "/api/significant" not in e["message"]
           and not ("status of 40" in e["message"] and ("opiod" in e["message"] or "CM00-0000000" in e["message"]))]
    assert not bad, "browser console: " + json.dumps(bad, indent=1)
    print("   browser console: no errors")


if __name__ == "__main__":
    sys.exit(main())
