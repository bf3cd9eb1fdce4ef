// docs/json.md, "Parse a configuration": the page's block as printed (snippets_in_step.py
// finds it here), then a registration and a stream that uses the parsed configuration, so
// json_config_test.cc can pin what the page says: a valid configuration is read into the
// struct, a missing or mistyped field is ParseFailure with one log line, and the plugin
// refuses the configuration.
#include <proxy_wasm/json.h>
#include <proxy_wasm/proxy_wasm.h>

struct Config {
  std::string header;     // required
  int32_t limit = 10;     // optional
};
void from_json(const proxy_wasm::Json& j, Config& c) {
  proxy_wasm::jsonField(j, "header", c.header);
  proxy_wasm::jsonField(j, "limit", c.limit, proxy_wasm::JsonOptional);
}

class Root : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onConfigure(size_t) override {
    auto config = proxy_wasm::pluginConfigurationAs<Config>(*this);
    if (!config) return false;   // ParseFailure, already logged with the position
    config_ = std::move(*config);
    return true;
  }
  Config config_;
};

// Adds the configured header, valued with the configured limit, to every request.
class Http : public proxy_wasm::HttpContextFor<Root> {
 public:
  using HttpContextFor::HttpContextFor;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    const Config& config = root().config_;
    if (auto s = addRequestHeader(config.header, std::to_string(config.limit)); !s)
      proxy_wasm::logWarn("cannot add ", config.header, ": ", s);
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<Root, Http> registration{"json_page"};

// docs/json.md, "Parse what a client sent": the page's block as printed.
class Items : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestBody(size_t, bool end_of_stream) override {
    if (!end_of_stream) return proxy_wasm::Action::Pause;  // the whole body first
    auto body = getRequestBody();
    if (!body) return proxy_wasm::Action::Continue;
    std::string error;
    auto json = proxy_wasm::tryParseJson(body->view(), &error);  // logs nothing
    if (!json || !json->is_object()) {
      if (json) error = std::string("expected an object, got ") + json->type_name();
      if (auto s = sendLocalResponse(400, error); !s) proxy_wasm::logWarn("cannot send the 400: ", s);
      return proxy_wasm::Action::Pause;
    }
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Items> items_registration{"json_page_items"};
