// json_validation: rejects JSON requests whose body is not an object with the required keys.
//
// Configuration (JSON object, optional): {"required_keys": ["id", "name"]}
//
// Requests whose media type is application/json (parameters allowed, any case) continue
// in the headers phase; their body is buffered until end of stream and then checked:
// empty, not a JSON object, or missing a required top-level key (a null value counts as
// present) -> local response 400 "invalid payload"; otherwise the request continues.
#include <proxy_wasm/json.h>
#include <proxy_wasm/proxy_wasm.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using proxy_wasm::Action;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equalsIgnoringCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// "Application/JSON; charset=utf-8" -> true: the media type is what precedes any ';'.
bool isJsonMediaType(std::string_view content_type) {
  return equalsIgnoringCase(trim(content_type.substr(0, content_type.find(';'))), "application/json");
}

struct Config {
  std::vector<std::string> required_keys;
};

void from_json(const proxy_wasm::Json& j, Config& c) {
  proxy_wasm::jsonField(j, "required_keys", c.required_keys, proxy_wasm::JsonOptional);
}

class ValidationRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t) override {
    // Errors (syntax, or required_keys not an array of strings) are logged by json.h.
    auto config = proxy_wasm::pluginConfigurationAs<Config>(*this);
    if (!config) return false;
    required_keys_ = std::move(config->required_keys);
    return true;
  }

  const std::vector<std::string>& requiredKeys() const { return required_keys_; }

 private:
  std::vector<std::string> required_keys_;
};

class ValidationContext : public proxy_wasm::HttpContextFor<ValidationRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  Action onRequestHeaders(uint32_t, bool end_of_stream) override {
    auto type = getRequestHeader("content-type");
    if (!type.ok()) proxy_wasm::logWarn("cannot read content-type: ", type.status());
    validate_ = type && isJsonMediaType(*type);
    if (validate_ && end_of_stream) return reject("empty body");  // no body will follow
    return Action::Continue;
  }

  Action onRequestBody(size_t, bool end_of_stream) override {
    if (!validate_) return Action::Continue;
    if (!end_of_stream) return Action::Pause;  // buffer until the whole body is there
    return validateBody();
  }

  // A body that ends with trailers is checked when they arrive.
  Action onRequestTrailers(uint32_t) override { return validate_ ? validateBody() : Action::Continue; }

 private:
  Action validateBody() {
    validate_ = false;
    auto body = getRequestBody();  // everything buffered so far (nothing: trailers right after the headers)
    if (!body) proxy_wasm::logWarn("cannot read the request body: ", body.status());
    if (!body || body->empty()) return reject("empty body");  // an unreadable body counts as empty
    // No log line for a syntax error: the body is the client's, and its 400 says enough.
    const auto json = proxy_wasm::tryParseJson(body->view());
    if (!json) return reject("not JSON");
    if (!json->is_object()) return reject("not a JSON object");
    for (const auto& key : root().requiredKeys()) {
      if (!json->contains(key)) return reject("missing required key '" + key + "'");
    }
    return Action::Continue;
  }

  Action reject(std::string_view reason) {
    proxy_wasm::logInfo("invalid payload: ", reason);
    if (auto s = sendLocalResponse(400, "invalid payload", {}, "invalid_payload"); !s)
      proxy_wasm::logError("cannot send the 400 response: ", s);
    return Action::Pause;  // a local response stops the stream anyway
  }

  bool validate_ = false;
};

proxy_wasm::RegisterContextFactory<ValidationRoot, ValidationContext> registration{""};

}  // namespace
