// A plugin configured in JSON through <proxy_wasm/json.h>: its configuration is read into a
// struct (errors: a status and a log line naming the position, never a trap), and its request
// callback uses nlohmann-json's throwing calls on a header (a throw: proxy_wasm::fatal()).
// Built natively and with every toolchain; tests/sdk/json_test.cc runs the same cases both ways.
#include <proxy_wasm/json.h>
#include <proxy_wasm/proxy_wasm.h>

#include <string>
#include <vector>

namespace {

struct Limits {
  uint32_t burst = 1;
};

struct Config {
  std::string header;               // required
  int32_t limit = 10;               // optional
  std::vector<std::string> tags;    // optional
  Limits limits;                    // optional, nested
};

void from_json(const proxy_wasm::Json& j, Limits& l) { proxy_wasm::jsonField(j, "burst", l.burst); }

void from_json(const proxy_wasm::Json& j, Config& c) {
  proxy_wasm::jsonField(j, "header", c.header);
  proxy_wasm::jsonField(j, "limit", c.limit, proxy_wasm::JsonOptional);
  proxy_wasm::jsonField(j, "tags", c.tags, proxy_wasm::JsonOptional);
  proxy_wasm::jsonField(j, "limits", c.limits, proxy_wasm::JsonOptional);
}

class JsonRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t) override {
    auto vm = proxy_wasm::vmConfigurationJson(*this);  // any JSON value, or empty
    if (!vm) return false;
    vm_keys_ = vm->is_object() ? vm->size() : 0;
    return true;
  }
  bool onConfigure(size_t) override {
    auto config = proxy_wasm::pluginConfigurationAs<Config>(*this);
    if (!config) return false;  // logged with the position
    config_ = std::move(*config);
    return true;
  }
  Config config_;
  size_t vm_keys_ = 0;
};

class JsonStream : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    const auto& config = static_cast<JsonRoot&>(root()).config_;
    std::string value = config.header + " " + std::to_string(config.limit) + " " +
                        std::to_string(config.tags.size()) + " " + std::to_string(config.limits.burst);
    // x-json: nlohmann-json's throwing calls, as a plugin might use them.
    if (auto body = getRequestHeader("x-json")) {
      const auto json = proxy_wasm::Json::parse(body->view());  // a syntax error throws
      value += " " + json.at("name").get<std::string>();        // a missing key, a wrong type throw
    }
    if (auto s = addRequestHeader("x-config", value); s != proxy_wasm::Status::Ok)
      proxy_wasm::logWarn("cannot add x-config: ", s);
    return proxy_wasm::Action::Continue;
  }
};

}  // namespace

static proxy_wasm::RegisterContextFactory<JsonRoot, JsonStream> registration{"json_config"};
