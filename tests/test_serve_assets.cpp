// The page's embedded assets: find_asset serves exactly the files of serve/assets/, and the page
// keeps to what the server's Content-Security-Policy allows (no inline script or style, no eval,
// no HTML built from strings, nothing fetched from elsewhere).
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "imrdex/serve/assets.hpp"
#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using imrdex::serve::find_asset;

constexpr const char* kAssets = IMRDEX_SERVE_ASSETS_DIR;

std::string asset_body(std::string_view path) {
    auto a = find_asset(path);
    if (!a) throw std::runtime_error("no embedded asset " + std::string(path));
    return std::string(a->body);
}

TEST(ServeAssets, EveryFileIsEmbeddedByteForByte) {
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kAssets)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(".") || name.ends_with("~")) continue;
        auto a = find_asset("/" + name);
        ASSERT_TRUE(a.has_value()) << name;
        EXPECT_EQ(a->body, imrdex::testing::read_file(entry.path())) << name;
        EXPECT_FALSE(a->content_type.empty()) << name;
        ++files;
    }
    EXPECT_GE(files, 3);
}

TEST(ServeAssets, RootIsIndexAndTypesFollowSuffixes) {
    auto root = find_asset("/");
    auto index = find_asset("/index.html");
    ASSERT_TRUE(root && index);
    EXPECT_EQ(root->body, index->body);
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(find_asset("/app.js")->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(find_asset("/app.css")->content_type, "text/css; charset=utf-8");
}

TEST(ServeAssets, OnlyExactNamesMatch) {
    for (const char* path :
         {"", "index.html", "/index.htm", "//app.js", "/./app.js", "/../app.js", "/app.js?x=1",
          "/APP.JS", "/app.js/", "/assets/app.js", "/../CMakeLists.txt", "/assets.cmake",
          "/%2e%2e/app.js", "/etc/passwd"}) {
        EXPECT_FALSE(find_asset(path).has_value()) << path;
    }
}

// index.html loads only embedded files, by absolute path, with no inline script, style or handler.
TEST(ServeAssets, IndexHtmlNeedsNoInlineCode) {
    const std::string html = asset_body("/index.html");
    const std::regex script_tag(R"(<script\b[^>]*>)", std::regex::icase);
    int scripts = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), script_tag), end; it != end; ++it) {
        EXPECT_NE(it->str().find("src=\"/"), std::string::npos) << it->str();
        ++scripts;
    }
    EXPECT_EQ(scripts, 1);
    EXPECT_EQ(html.find("<style"), std::string::npos);
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(\sstyle\s*=)", std::regex::icase)));
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase)));
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(javascript:)", std::regex::icase)));
    const std::regex ref(R"re(\b(?:src|href)="([^"]*)")re");
    std::set<std::string> refs;
    for (std::sregex_iterator it(html.begin(), html.end(), ref), end; it != end; ++it)
        refs.insert((*it)[1].str());
    for (const auto& r : refs) {
        if (r == "/" || r.starts_with("/api/")) continue;  // the page itself, the JSON API
        EXPECT_TRUE(find_asset(r).has_value()) << "index.html refers to " << r;
    }
    EXPECT_TRUE(refs.contains("/app.js") && refs.contains("/app.css"));
}

// app.js puts data into the DOM as text only, and needs neither eval nor another origin.
TEST(ServeAssets, ScriptBuildsNoHtmlFromStrings) {
    const std::string js = asset_body("/app.js");
    for (const char* banned :
         {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
          "setTimeout(\"", "setAttribute(\"style\"", "http://", "https://", "//cdn"}) {
        const std::string b = banned;
        auto at = js.find(b);
        // The SVG namespace is a name, not a URL anything is fetched from.
        if (b == "http://" && at != std::string::npos &&
            js.compare(at, 26, "http://www.w3.org/2000/svg") == 0) {
            at = js.find(b, at + 1);
        }
        EXPECT_EQ(at, std::string::npos) << "app.js uses " << banned;
    }
    const std::string css = asset_body("/app.css");
    EXPECT_EQ(css.find("url("), std::string::npos) << "app.css loads nothing";
    EXPECT_EQ(css.find("@import"), std::string::npos);
}

}  // namespace
