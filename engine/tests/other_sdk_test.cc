// docs/engine.md, "Testing plugins from other SDKs": a doctest suite for a .wasm that was
// not built here, named by path. RUST_FILTER_WASM is the path of the Rust-shaped module
// (CMake passes it); any plugin file works the same way.
#include <doctest/doctest.h>

#include "proxy_wasm/engine/testing.h"

using proxy_wasm::Action;
using proxy_wasm::testing::HostOptions;
using proxy_wasm::testing::makeHost;
using proxy_wasm::testing::WasmFile;

TEST_CASE("the Rust filter copies :path into x-wasm-path") {
  HostOptions options;
  options.log_level = proxy_wasm::LogLevel::Info;
  auto host = makeHost(options, WasmFile{RUST_FILTER_WASM});
  REQUIRE(host->startPlugin() != 0);

  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "GET"}, {":path", "/hello"}}, true) == Action::Continue);
  CHECK(stream.sendResponseHeaders({{":status", "200"}}, true) == Action::Continue);
  CHECK(stream.responseHeaders().get("x-wasm-path") == "/hello");
  CHECK(stream.responseHeaders().get("x-sdk-shape") == "rust");
}

TEST_CASE("two modules side by side, each host with its own instance") {
  auto rust = makeHost({}, WasmFile{RUST_FILTER_WASM});
  auto go = makeHost({}, WasmFile{GO_FILTER_WASM});
  REQUIRE(rust->startPlugin() != 0);
  REQUIRE(go->startPlugin() != 0);
  rust->tick();
  go->tick();
  CHECK(rust->logs(proxy_wasm::LogLevel::Info) == std::vector<std::string>{"tick from rust"});
  CHECK(go->logs(proxy_wasm::LogLevel::Info) == std::vector<std::string>{"tick from go-wasip1"});
}
