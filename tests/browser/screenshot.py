# Saves a screenshot of the search page at URL once it has drawn (how docs/imr-serve.png was made):
#   /usr/bin/python3 tests/browser/screenshot.py 'http://127.0.0.1:8080/?q=...' docs/imr-serve.png
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402


def main():
    if len(sys.argv) not in (3, 5):
        print("usage: screenshot.py URL OUT.png [WIDTH HEIGHT]", file=sys.stderr)
        return 2
    url, out = sys.argv[1], sys.argv[2]
    width, height = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) == 5 else (1280, 1000)
    driver = browser.start_browser(width=width, height=height)
    try:
        driver.get(url)
        browser.wait_render(driver, 0)
        error = driver.execute_script(
            "const e = document.getElementById('error'); return e.hidden ? '' : e.textContent")
        if error:
            print("the page shows an error: " + error, file=sys.stderr)
            return 1
        driver.save_screenshot(out)
    finally:
        driver.quit()
    print(f"{out}: {os.path.getsize(out)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
