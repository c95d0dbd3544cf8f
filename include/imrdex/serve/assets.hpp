// The web page's files (serve/assets/), embedded into imr-serve at build time.
#pragma once

#include <optional>
#include <string_view>

namespace imrdex::serve {

struct Asset {
    std::string_view content_type;
    std::string_view body;
};

// The embedded asset served at `path` ("/" means "/index.html"), or nullopt. Only exact names of
// embedded files match: there is no file system behind this and no path is ever resolved.
std::optional<Asset> find_asset(std::string_view path);

}  // namespace imrdex::serve
