// proxy-wasm-run's inputs, read defensively: files (size-capped, no directories) and JSON
// (depth-capped, errors with line and column), so that no input can crash the runner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace proxy_wasm::run {

// Scenario and configuration files above this are refused.
inline constexpr uint64_t kMaxInputBytes = 64ull << 20;
// JSON nested deeper than this is refused (a scenario needs about 6 levels).
inline constexpr size_t kMaxJsonDepth = 128;

// Reads a whole regular file; false with "cannot read F: why" otherwise.
bool readText(const std::string& path, std::string* out, std::string* error, uint64_t max_bytes = kMaxInputBytes);

// "line L, column C" of a byte offset (1-based; columns count bytes).
std::string position(const std::string& text, size_t offset);

// Parses JSON (comments allowed) without recursion or exceptions; false with a message
// naming line and column: a syntax error, or nesting deeper than max_depth.
bool parseJson(const std::string& text, nlohmann::ordered_json* out, std::string* error,
               size_t max_depth = kMaxJsonDepth);

}  // namespace proxy_wasm::run
