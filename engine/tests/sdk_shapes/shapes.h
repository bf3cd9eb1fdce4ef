// Modules shaped like plugins built by other Proxy-Wasm SDKs: the same small filter
// (it copies the request's :path into an x-wasm-path response header, adds
// x-sdk-shape: <shape>, logs on every tick) with each SDK's marker, allocator export(s),
// entry point, extra exports and import set.
#pragma once

#include <string>
#include <vector>

namespace proxy_wasm::engine::testing {

// rust, tinygo, go-wasip1, cpp-emscripten, cpp-clang, assemblyscript.
const std::vector<std::string>& sdkShapes();
// The module's WebAssembly text.
std::string sdkShapeWat(const std::string& shape);

}  // namespace proxy_wasm::engine::testing
