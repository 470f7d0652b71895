"""Accessibility of the PWA and the kiosk, in headless Chromium: axe-core on every page and
state a resident or a kiosk sees, the keyboard alone, what a screen reader is told, text at
200% on a 320 px screen, reduced motion, and state without colour.

axe-core is the copy bundled by axe-selenium-python (PyPI). Reports land in
.build/test-artifacts/axe/, screenshots in .build/test-artifacts/.
"""

import json
import re
import unittest

from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from test_pwa import ARTIFACTS, Dorm, chromium

# Findings below serious that stay, each with its reason. A serious or critical one fails.
ALLOWED = {}


def audit(driver, state):
    """Runs axe on the page as it is; fails on anything serious or critical, or unexplained."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe" / f"{state}.json").write_text(json.dumps(results["violations"], indent=1))
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]
    serious = [f for f in found if f[1] in ("serious", "critical")]
    unexplained = [f for f in found if f[0] not in ALLOWED]
    assert not serious and not unexplained, f"{state}: {found}"


class Page:
    def __init__(self, test, driver):
        self.test, self.driver = test, driver

    def wait(self, condition, seconds=10, message=""):
        return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(lambda _: condition(), message)

    def phase(self, machine):
        return self.driver.find_element(By.ID, f"machine-{machine}").get_attribute("data-phase")

    def live(self):
        self.wait(lambda: self.driver.find_element(By.ID, "connection").get_attribute("data-state") == "live",
                  message="the board goes live")

    def active(self):
        return self.driver.switch_to.active_element

    def tab_to(self, matches, limit=80):
        """Presses Tab until the focused element satisfies `matches`; fails if it never does."""
        for _ in range(limit):
            self.active().send_keys(Keys.TAB)
            if matches(self.active()):
                return self.active()
        raise AssertionError("not reachable with Tab")


class AccessibilityTests(unittest.TestCase):
    def demo(self):
        dorm = Dorm(machines=False)
        self.addCleanup(dorm.close)
        dorm.start("--demo")
        driver = chromium()
        self.addCleanup(driver.quit)
        return dorm, driver, Page(self, driver)

    def test_axe_finds_nothing_serious_on_any_page_or_state(self):
        dorm, driver, page = self.demo()
        driver.get(dorm.origin)
        page.wait(lambda: driver.find_element(By.ID, "demo-button").is_displayed())
        audit(driver, "sign-in")

        driver.find_element(By.ID, "demo-button").click()
        page.live()
        phases = {c.get_attribute("data-phase") for c in driver.find_elements(By.CSS_SELECTOR, ".machine")}
        self.assertTrue({"free", "running", "done", "broken"} <= phases, phases)
        page.wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".notice"), message="the demo's notice")
        audit(driver, "board")

        driver.execute_script("scrollTo(0, 0)")
        driver.find_element(By.CSS_SELECTOR, "#machine-D1 button.more").click()
        page.wait(driver.find_element(By.ID, "machine-menu").is_displayed)
        audit(driver, "machine-menu")
        driver.find_element(By.XPATH, "//dialog[@id='machine-menu']//button[text()='Report a problem']").click()
        page.wait(driver.find_element(By.ID, "report-dialog").is_displayed)
        audit(driver, "report-dialog")
        driver.find_element(By.ID, "report-text").send_keys("The lint filter is missing")
        driver.find_element(By.CSS_SELECTOR, "#report-form button[value='send']").click()
        page.wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".toast"), message="a toast")
        audit(driver, "board-with-toast")

        driver.find_element(By.ID, "alerts-button").click()
        page.wait(driver.find_element(By.ID, "alert-centre").is_displayed)
        audit(driver, "alert-centre")
        driver.find_element(By.CSS_SELECTOR, "#alert-centre form button").click()

        driver.get(f"{dorm.origin}/m/W1")
        page.wait(driver.find_element(By.ID, "machine-menu").is_displayed)
        audit(driver, "label")

        kiosk = dorm.cli("kiosk", "add", "--name", "Screen", "--location", "Hall A · basement")
        driver.get(kiosk["url"])
        page.wait(lambda: driver.find_element(By.ID, "kiosk-connection").text == "Live")
        audit(driver, "kiosk")

    def test_by_keyboard_alone_sign_in_start_collect_and_dismiss_a_toast_with_a_visible_focus_ring(self):
        dorm = Dorm()
        self.addCleanup(dorm.close)
        dorm.start()
        driver = chromium()
        self.addCleanup(driver.quit)
        page = Page(self, driver)
        driver.get(dorm.origin)
        page.wait(lambda: driver.find_element(By.ID, "enroll").is_displayed())
        field = page.tab_to(lambda e: e.get_attribute("id") == "enroll-code")
        field.send_keys(dorm.enrollment_code("Ada"), Keys.ENTER)
        page.live()

        start = page.tab_to(lambda e: e.get_attribute("aria-label") == "Start Washer W1 for 45 minutes")
        ring = driver.execute_script(
            "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)]", start)
        self.assertNotEqual(ring[0], "none")
        self.assertGreaterEqual(ring[1], 2, "a focus ring of at least 2 px")
        start.send_keys(Keys.ENTER)
        page.wait(lambda: page.phase("W1") == "running")

        # The menu is a modal dialog: focus goes in, stays in, and comes back to its button.
        more = page.tab_to(lambda e: e.get_attribute("aria-label") == "More for Washer W1")
        more.send_keys(Keys.ENTER)
        menu = driver.find_element(By.ID, "machine-menu")
        page.wait(menu.is_displayed)
        inside = "return arguments[0].contains(document.activeElement)"
        for _ in range(6):
            self.assertTrue(driver.execute_script(inside, menu), "focus stays in the menu")
            page.active().send_keys(Keys.TAB)
        page.active().send_keys(Keys.ESCAPE)
        page.wait(lambda: not menu.is_displayed())
        self.assertEqual(page.active().get_attribute("aria-label"), "More for Washer W1", "focus returns")

        collected = page.tab_to(lambda e: e.text == "Collected")
        collected.send_keys(Keys.ENTER)
        page.wait(lambda: page.phase("W1") == "free")

        # An alert's toast: announced (an assertive region), reachable, and gone on Escape.
        page.tab_to(lambda e: e.get_attribute("aria-label") == "Start Washer W2 for 45 minutes").send_keys(Keys.ENTER)
        page.wait(lambda: page.phase("W2") == "running")
        dorm.cli("machine", "clear", "W2")
        toast = page.wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#toasts .toast"), message="the alert's toast")[0]
        self.assertEqual(driver.find_element(By.ID, "toasts").get_attribute("aria-live"), "assertive")
        self.assertTrue(toast.find_element(By.TAG_NAME, "button").get_attribute("aria-label").startswith("Dismiss: W2"))
        page.active().send_keys(Keys.ESCAPE)
        page.wait(lambda: not driver.find_elements(By.CSS_SELECTOR, "#toasts .toast"), message="Escape dismisses it")

    def test_the_live_region_tells_of_the_residents_own_machine_and_not_of_a_strangers(self):
        dorm = Dorm()
        self.addCleanup(dorm.close)
        dorm.start()
        driver = chromium()
        self.addCleanup(driver.quit)
        page = Page(self, driver)
        driver.get(f"{dorm.origin}/join#code={dorm.enrollment_code('Ada')}")
        page.live()
        page.wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, ".machine")) == 3)
        driver.execute_script("""
            window.heard = [];
            new MutationObserver(() => {
              const text = document.getElementById('announcer').textContent;
              if (text) window.heard.push(text);
            }).observe(document.getElementById('announcer'), {childList: true, characterData: true, subtree: true});""")
        driver.find_element(By.CSS_SELECTOR, "#machine-W1 button[aria-label^='Start']").click()
        page.wait(lambda: page.phase("W1") == "running")
        dorm.request("POST", "/api/machines/W2/uses", dorm.token("Ben"), {})
        page.wait(lambda: page.phase("W2") == "running")
        dorm.cli("machine", "broken", "W1", "--note", "drum stuck")
        page.wait(lambda: page.phase("W1") == "broken")
        heard = page.wait(lambda: driver.execute_script(
            "return window.heard.some(t => t.includes('Out of order')) && window.heard"))
        self.assertEqual([t for t in heard if "Washer W2" in t], [], "a stranger's machine is not announced")
        self.assertEqual(len([t for t in heard if "Washer W1: Out of order" in t]), 1, heard)
        self.assertTrue(any(t.startswith("Washer W1: Running") for t in heard), heard)

    def test_200_percent_text_on_a_320_px_screen_reduced_motion_and_greyscale(self):
        dorm, driver, page = self.demo()
        driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 320, "height": 640, "deviceScaleFactor": 2, "mobile": True})
        driver.get(dorm.origin)
        page.wait(lambda: driver.find_element(By.ID, "demo-button").is_displayed())
        driver.find_element(By.ID, "demo-button").click()
        page.live()
        # Reduced motion: countdowns in whole minutes, and no toast sliding in.
        running = driver.find_element(By.CSS_SELECTOR, ".machine[data-phase='running'] .machine-status").text
        self.assertRegex(running, r"^Running · \d+ min left$")

        # Text at 200% (the root size, which every length in app.css follows).
        driver.execute_script("document.documentElement.style.fontSize = '200%'")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        self.assertLessEqual(overflow, 0, "no sideways scrolling")
        outside = driver.execute_script("""
            return [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null)
              .map(b => [b.textContent, b.getBoundingClientRect()])
              .filter(([, r]) => r.left < 0 || r.right > innerWidth).map(([t]) => t)""")
        self.assertEqual(outside, [], "every button within the screen")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.assertTrue(driver.save_screenshot(str(ARTIFACTS / "board-320px-text-200.png")))

        # Without colour: every phase says what it is in words, and the screenshot shows it.
        driver.execute_script("document.documentElement.style.fontSize = ''")
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        driver.execute_script("document.documentElement.style.filter = 'grayscale(1)'")
        words = driver.execute_script("""
            const first = {};
            for (const card of document.querySelectorAll('.machine')) {
              first[card.dataset.phase] ??= card.querySelector('.machine-status').textContent.split(' ')[0];
            }
            return first""")
        self.assertEqual(len(set(words.values())), len(words), words)
        self.assertTrue(driver.save_screenshot(str(ARTIFACTS / "board-greyscale.png")))


if __name__ == "__main__":
    unittest.main()
