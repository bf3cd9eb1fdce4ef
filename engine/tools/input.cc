// See input.h.
#include "input.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace proxy_wasm::run {
namespace {

using json = nlohmann::ordered_json;

// nlohmann's DOM builder (iterative), stopping at a depth limit and keeping the position
// of the first error.
class LimitedSax {
 public:
  LimitedSax(json* root, size_t max_depth) : dom_(*root, false), max_depth_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return dom_.number_float(v, s); }
  bool string(json::string_t& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool key(json::string_t& v) { return dom_.key(v); }
  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t offset, const std::string&, const nlohmann::detail::exception& e) {
    syntax_error_ = true;
    offset_ = offset;
    message_ = e.what();
    return false;
  }

  bool too_deep() const { return too_deep_; }
  bool syntax_error() const { return syntax_error_; }
  size_t offset() const { return offset_; }
  const std::string& message() const { return message_; }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  size_t max_depth_;
  size_t depth_ = 0;
  bool too_deep_ = false, syntax_error_ = false;
  size_t offset_ = 0;
  std::string message_;
};

}  // namespace

bool readText(const std::string& path, std::string* out, std::string* error, uint64_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) {
    *error = "cannot read " + path + ": " + ec.message();
    return false;
  }
  if (std::filesystem::is_directory(status)) {
    *error = "cannot read " + path + ": it is a directory";
    return false;
  }
  if (!std::filesystem::is_regular_file(status)) {
    *error = "cannot read " + path + ": not a regular file";
    return false;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > max_bytes) {
    *error = "cannot read " + path + ": " +
             (ec ? ec.message() : std::to_string(size) + " bytes, over the limit of " + std::to_string(max_bytes));
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  out->resize(size);
  in.read(out->data(), std::streamsize(size));
  if (in.gcount() != std::streamsize(size)) {
    *error = "cannot read " + path + ": short read";
    return false;
  }
  return true;
}

std::string position(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

bool parseJson(const std::string& text, json* out, std::string* error, size_t max_depth) {
  json root;
  LimitedSax sax(&root, max_depth);
  const bool ok = json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true, /*ignore_comments=*/true);
  if (ok && !sax.too_deep() && !sax.syntax_error()) {
    *out = std::move(root);
    return true;
  }
  if (sax.too_deep()) {
    // The parser stopped right after the opening bracket that went too deep: find it.
    size_t depth = 0, at = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        if (++depth > max_depth) {
          at = i;
          break;
        }
      } else if (c == ']' || c == '}') {
        --depth;
      }
    }
    *error = "JSON nested deeper than " + std::to_string(max_depth) + " levels at " + position(text, at);
    return false;
  }
  // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
  std::string message = sax.message();
  if (auto p = message.find("] "); message.rfind("[json.exception", 0) == 0 && p != std::string::npos)
    message.erase(0, p + 2);
  *error = message.empty() ? "invalid JSON at " + position(text, sax.offset()) : message;
  return false;
}

}  // namespace proxy_wasm::run
