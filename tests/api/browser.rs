//! The journey in a real headless Chromium through chromedriver (enabled by
//! COMPUTEGRANTS_TEST_BROWSER=1; needs Debian's chromium and chromium-driver).
