// Test helper: WebAssembly text to a binary module, with wabt's own parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace proxy_wasm::engine::testing {

// Parses and validates `wat`; false with wabt's messages in *error.
bool watToWasm(std::string_view wat, std::vector<uint8_t>* out, std::string* error);

}  // namespace proxy_wasm::engine::testing
