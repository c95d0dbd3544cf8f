// imr-serve's HTTP side: cpp-httplib serving the embedded page and the JSON API (api.hpp).
#pragma once

#include <functional>
#include <string>

#include "imrdex/serve/api.hpp"

namespace imrdex::serve {

struct ServerOptions {
    ApiOptions api;
    std::string bind = "127.0.0.1";  // loopback unless told otherwise
    int port = 8080;                 // 0: any free port (printed when listening)
    unsigned threads = 8;            // HTTP worker threads, each serving one request at a time
    int io_timeout_seconds = 10;     // reading a request, writing each piece of an answer
};

// Serves until `stop` is set by a signal (polled), then returns. Calls `listening` with the
// address once the socket is bound. Throws IoError when it cannot bind.
void run_server(const ServerOptions& options,
                const std::function<void(const std::string& url)>& listening,
                const volatile int* stop);

// The headers every answer carries: a Content-Security-Policy allowing only the page's own
// files, no sniffing, no framing.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

}  // namespace imrdex::serve
