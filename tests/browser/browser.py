# What the browser tests share: headless Chromium through Selenium, imr-serve started on a free
# loopback port, and waiting for the page to finish drawing.
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

SKIP = 77  # ctest's SKIP_RETURN_CODE for these tests


def skip(why):
    print("SKIPPED: " + why, flush=True)
    sys.exit(SKIP)


def chromium_paths():
    """(chromium, chromedriver) from PATH or Debian's places; skips the test when one is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if os.access("/usr/bin/chromedriver", os.X_OK) else None)
    if not browser or not driver:
        skip("needs chromium and chromedriver (Debian: chromium chromium-driver, installed by "
             "scripts/install-deps); missing: " +
             ", ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if not p))
    return browser, driver


def start_browser(download_dir=None, width=1400, height=1000):
    browser, driver_path = chromium_paths()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip("needs python3-selenium (Debian's, run by /usr/bin/python3)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", f"--window-size={width},{height}",
                "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if download_dir:
        options.add_experimental_option("prefs", {
            "download.default_directory": download_dir,
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
        })
    d = webdriver.Chrome(service=Service(driver_path), options=options)
    if download_dir:
        d.execute_cdp_cmd("Page.setDownloadBehavior",
                          {"behavior": "allow", "downloadPath": download_dir})
    d.set_page_load_timeout(30)
    return d


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """imr-serve on a free loopback port, stopped (by its own pid) on exit."""

    def __init__(self, binary, db, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "--db", db, "--bind", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"imr-serve exited with {self.proc.returncode}; log: {log_path}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"imr-serve did not answer /api/health in 60 s; log: {log_path}")
            time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def select(element, value):
    """Chooses `value` in a <select>, as a user does."""
    from selenium.webdriver.support.ui import Select
    Select(element).select_by_value(value)


def rendered(driver):
    """The page's count of finished renders (app.js sets body[data-rendered] after each)."""
    return int(driver.execute_script("return document.body.dataset.rendered || '0'"))


def wait_render(driver, after, timeout=30):
    """Waits until a render later than `after` has finished and no other is under way."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = driver.execute_script(
            "return [document.body.dataset.rendered || '0', document.body.dataset.loading]")
        if int(state[0]) > after and state[1] == "0":
            return int(state[0])
        time.sleep(0.05)
    raise AssertionError(f"the page did not finish drawing in {timeout} s")
