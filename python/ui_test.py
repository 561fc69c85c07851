#!/usr/bin/env python3
"""Drives the platform's web dashboard (/ui) in headless Chromium with Selenium, as a user would.

Pushes the four MNIST files as datasets (through the API), signs in with an API key (a wrong
key first: the form shows an error), submits a small MLP job from the jobs page, watches its
training curve gain points while it runs, opens the datasets, registry, marketplace and audit
pages, deploys the job's model from the deployments page (waits for its replica, scales it,
deletes it), signs out, and saves a screenshot of each step into --screenshots.

    python3 python/ui_test.py --url http://127.0.0.1:8080 --token lep_… \
        --mnist ../shared/datasets/mnist --screenshots /tmp/shots

Exits 0 when every check passed, 1 with the failed check otherwise.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

MNIST_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

# A small MLP that trains for about 15 s in a release build (0.5 s an epoch here), long enough
# for the page to show its curve growing several times (train_limit sets the epochs' length).
CONFIG = """dataset: {name: mnist, train_limit: 24000, test_limit: 2000}
model:
  input_shape: [28, 28, 1]
  layers:
    - {type: Flatten}
    - {type: Dense, units: 64, activation: relu}
    - {type: Dense, units: 10, activation: softmax}
optimizer: {name: adam, learning_rate: 0.002}
loss: sparse_categorical_crossentropy
metrics: [accuracy]
epochs: 30
batch_size: 32
validation_split: 0.1
"""


def api(url, token, method, path, body=None, content_type="application/json"):
    request = urllib.request.Request(url + path, data=body, method=method,
                                     headers={"Authorization": "Bearer " + token, "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def push_mnist(url, token, folder):
    """Creates one dataset per MNIST file and uploads it as version 1."""
    for name in MNIST_FILES:
        with open(os.path.join(folder, name), "rb") as f:
            data = f.read()
        dataset = api(url, token, "POST", "/api/v1/datasets", json.dumps({"name": name}).encode())
        api(url, token, "POST", "/api/v1/datasets/%s/versions" % dataset["id"], data, "application/octet-stream")


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                     "--force-device-scale-factor=1", "--disable-extensions", "--no-first-run"]:
        options.add_argument(argument)
    binary = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
    if os.path.exists(binary):
        options.binary_location = binary
    driver_path = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    service = webdriver.ChromeService(executable_path=driver_path) if os.path.exists(driver_path) else webdriver.ChromeService()
    return webdriver.Chrome(options=options, service=service)


class Checks:
    def __init__(self, driver, folder):
        self.driver, self.folder, self.count = driver, folder, 0

    def check(self, condition, message):
        if not condition:
            self.shot("failure")
            raise AssertionError(message)

    def shot(self, name, full=True):
        """Saves a screenshot, the window stretched to the page's height."""
        if full:
            height = self.driver.execute_script("return Math.max(document.documentElement.scrollHeight, 600)")
            self.driver.set_window_size(1280, min(int(height) + 160, 4000))
        self.count += 1
        path = os.path.join(self.folder, "%02d-%s.png" % (self.count, name))
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 900)
        print("screenshot", path, flush=True)


def set_value(driver, element_id, text):
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].value = arguments[1];", element, text)


def fresh(driver, read, attempts=10):
    """read(driver), read again when the page replaced the element between finding and reading it."""
    for attempt in range(attempts):
        try:
            return read(driver)
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


def wait_for(driver, condition, seconds=30):
    """Whether condition(driver) became true within seconds (elements going stale meanwhile are retried)."""
    try:
        WebDriverWait(driver, seconds, ignored_exceptions=[StaleElementReferenceException]).until(condition)
        return True
    except TimeoutException:
        return False


def curve_points(driver):
    return sum(int(svg.get_attribute("data-points") or 0) for svg in driver.find_elements(By.CSS_SELECTOR, "svg.curve"))


def run(args):
    os.makedirs(args.screenshots, exist_ok=True)
    push_mnist(args.url, args.token, args.mnist)
    driver = browser()
    checks = Checks(driver, args.screenshots)
    wait = WebDriverWait(driver, 30)
    try:
        # Not signed in: the dashboard sends the browser to the sign-in form.
        driver.get(args.url + "/ui/jobs")
        wait.until(EC.presence_of_element_located((By.ID, "login")))
        checks.check("/ui/login" in driver.current_url, "expected the sign-in form, at " + driver.current_url)
        driver.find_element(By.ID, "key").send_keys("lep_0000000000000000_" + "0" * 64)
        driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
        error = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#login .error")))
        checks.check("key" in error.text.lower(), "a wrong key shows an error on the form: " + error.text)
        checks.shot("login-error", full=False)
        driver.find_element(By.ID, "key").send_keys(args.token)
        driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.ID, "submit-job")))
        checks.check(driver.current_url.endswith("/ui/jobs"), "signed in, back on the jobs page: " + driver.current_url)
        cookies = driver.get_cookies()
        checks.check(any(c["name"] == "lepton_ui" and c["httpOnly"] and c.get("sameSite") == "Strict" for c in cookies),
                     "an HttpOnly, SameSite=Strict session cookie: %s" % cookies)
        checks.check(driver.execute_script("return document.cookie").find("lepton_ui") < 0, "the page's script cannot read the key")

        # Submit the job from the form.
        set_value(driver, "config", CONFIG)
        set_value(driver, "inputs", "\n".join("mnist/%s = %s" % (name, name) for name in MNIST_FILES))
        driver.find_element(By.ID, "model_name").send_keys("dashboard-mnist")
        driver.find_element(By.CSS_SELECTOR, "#submit-job button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.ID, "live")))
        checks.check("/ui/jobs/job_" in driver.current_url, "the job's page opens: " + driver.current_url)
        job_url = driver.current_url

        # Watch the curve gain points without reloading the page (the page's script refetches it).
        seen, deadline, shot_running = [], time.time() + args.timeout, False
        state = ""
        while time.time() < deadline:
            try:
                if driver.execute_script("return document.readyState") != "complete":
                    raise WebDriverException("loading")
                points = curve_points(driver)
                state = driver.find_element(By.CSS_SELECTOR, "#curve-status .badge").text
            except WebDriverException:   # the part was being replaced, or the page reloads at the end
                time.sleep(0.2)
                continue
            # No points after some: the part is being replaced (at the end the page loads itself
            # again, which a slow machine catches half-way), not a curve that shrank.
            replaced = points == 0 and any(seen)
            if not replaced and (not seen or seen[-1] != points):
                seen.append(points)
                print("curve points:", points, "state:", state, flush=True)
            if state == "running" and points > 40 and not shot_running:
                checks.shot("job-running")
                shot_running = True
            if state in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.5)
        checks.check(state == "succeeded", "the job succeeded (state %s); log:\n%s" % (state, driver.find_element(By.ID, "log").text))
        checks.check(len([p for p in seen if p > 0]) >= 3, "the curve updated live at least 3 times: %s" % seen)
        checks.check(seen == sorted(seen), "points only ever grow: %s" % seen)
        # At the end the page loads itself again: its facts say succeeded and the cancel button is gone.
        WebDriverWait(driver, 15).until(lambda d: "succeeded" in d.find_element(By.ID, "job-state").text)
        checks.check(not driver.find_elements(By.ID, "cancel-job"), "no cancel button on a finished job")
        checks.check(driver.current_url == job_url, "still on the job's page: " + driver.current_url)
        checks.check(curve_points(driver) >= 12, "a point per epoch and steps within them: %d" % curve_points(driver))
        checks.check("Trained in" in driver.find_element(By.ID, "log").text, "the log tail shows the end of training")
        checks.shot("job-curve")

        driver.get(args.url + "/ui/jobs")
        wait.until(EC.presence_of_element_located((By.ID, "jobs")))
        checks.check("succeeded" in driver.find_element(By.ID, "jobs").text, "the job is listed as succeeded")
        checks.shot("jobs")

        driver.get(args.url + "/ui/datasets")
        table = wait.until(EC.presence_of_element_located((By.ID, "datasets")))
        checks.check(all(name in table.text for name in MNIST_FILES), "the datasets are listed: " + table.text)
        checks.shot("datasets")
        driver.find_element(By.LINK_TEXT, MNIST_FILES[0]).click()
        versions = wait.until(EC.presence_of_element_located((By.ID, "versions")))
        checks.check("gzip" in versions.text and "9.7 MB" in versions.text, "a version with its format and size: " + versions.text)
        checks.shot("dataset-versions")

        driver.get(args.url + "/ui/models")
        models = wait.until(EC.presence_of_element_located((By.ID, "models")))
        checks.check("dashboard-mnist" in models.text, "the job registered its model: " + models.text)
        driver.find_element(By.LINK_TEXT, "dashboard-mnist").click()
        wait.until(EC.presence_of_element_located((By.ID, "versions")))
        checks.shot("registry")

        # Deploy the model from the form, wait for its replica, scale it to 2 and delete it.
        driver.get(args.url + "/ui/deployments")
        wait.until(EC.presence_of_element_located((By.ID, "create-deployment")))
        driver.find_element(By.ID, "name").send_keys("digits")
        driver.find_element(By.ID, "model").send_keys("dashboard-mnist")
        set_value(driver, "target_rps", "50")
        driver.find_element(By.CSS_SELECTOR, "#create-deployment button[type=submit]").click()
        token = wait.until(EC.presence_of_element_located((By.ID, "deployment-token"))).text
        checks.check(token.startswith("lepd_"), "the new token is shown once: " + token)
        WebDriverWait(driver, 120, ignored_exceptions=[WebDriverException]).until(
            lambda d: d.find_element(By.ID, "ready-replicas").text.startswith("1 /"))
        driver.get(args.url + "/ui/deployments/digits")
        wait.until(EC.presence_of_element_located((By.ID, "scale-deployment")))
        checks.check(token not in driver.page_source, "the token is not shown again")
        for _ in range(20):   # some traffic for the chart and the latency
            try:
                api(args.url, token, "GET", "/deployments/digits/v2/models/dashboard-mnist")
            except (urllib.error.URLError, ValueError) as error:
                print("deployment request:", error, flush=True)
        set_value(driver, "max_replicas", "2")
        driver.find_element(By.CSS_SELECTOR, "#scale-deployment button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.ID, "scale-deployment")))
        # The form may still be the old page's for a moment (its element then goes stale): wait for the new one.
        checks.check(wait_for(driver, lambda d: d.find_element(By.ID, "max_replicas").get_attribute("value") == "2"),
                     "scaled to max 2")
        time.sleep(4)   # two refetches of the live part and a few chart samples
        replicas = fresh(driver, lambda d: d.find_element(By.ID, "replicas").text)   # the live part is replaced as it refetches
        checks.check("ready" in replicas, "the replicas table: " + replicas)
        checks.shot("deployment")
        driver.find_element(By.CSS_SELECTOR, "#delete-deployment button[type=submit]").click()
        wait.until(EC.presence_of_element_located((By.ID, "create-deployment")))
        checks.check(not driver.find_elements(By.LINK_TEXT, "digits") and "No deployments yet" in driver.find_element(By.TAG_NAME, "main").text,
                     "the deployment is deleted")
        driver.get(args.url + "/ui/market")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "main h1")))
        checks.shot("market")

        driver.get(args.url + "/ui/audit?action=POST")
        chain = wait.until(EC.presence_of_element_located((By.ID, "chain")))
        checks.check("verified" in chain.text, "the audit chain verifies: " + chain.text)
        audit = driver.find_element(By.ID, "audit").text
        checks.check("POST /ui/jobs" in audit and "POST /ui/login" in audit, "the UI's actions are audited: " + audit[:500])
        checks.check("GET" not in audit, "the action filter applies")
        checks.shot("audit")

        driver.get(args.url + "/ui")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".cards")))
        checks.check("dashboard-mnist" in driver.find_element(By.TAG_NAME, "main").text, "the overview lists the newest job")
        checks.shot("overview")

        driver.find_element(By.ID, "sign-out").click()
        wait.until(EC.presence_of_element_located((By.ID, "login")))
        driver.get(args.url + "/ui")
        wait.until(EC.presence_of_element_located((By.ID, "login")))
        checks.check("/ui/login" in driver.current_url, "signed out: the dashboard asks for a key again")
        print("all dashboard checks passed", flush=True)
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the platform, e.g. http://127.0.0.1:8080")
    parser.add_argument("--token", required=True, help="an editor or admin API key (admin to see the audit page)")
    parser.add_argument("--mnist", required=True, help="the folder with the four MNIST .gz files")
    parser.add_argument("--screenshots", required=True, help="where to save the screenshots")
    parser.add_argument("--timeout", type=float, default=240, help="seconds the job may take")
    args = parser.parse_args()
    try:
        run(args)
    except AssertionError as error:
        print("FAILED:", error, file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
