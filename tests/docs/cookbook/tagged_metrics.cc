// Cookbook: metrics with tags (a fixed tag on a plain counter, per-request tags on a family).
#include <proxy_wasm/proxy_wasm.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace {

class MetricsRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onStart(size_t) override {  // never at module start-up: hosts refuse host calls there
    auto requests = proxy_wasm::Counter::define("requests", {{"plugin", "cookbook"}});
    auto responses =
        proxy_wasm::TaggedCounter<std::string_view, uint32_t>::define("responses", {"method", "code"});
    if (!requests || !responses) return false;
    requests_ = *requests;
    responses_ = std::move(*responses);
    return true;
  }
  const proxy_wasm::Counter& requests() const { return requests_; }
  proxy_wasm::TaggedCounter<std::string_view, uint32_t>& responses() { return responses_; }

 private:
  proxy_wasm::Counter requests_;
  proxy_wasm::TaggedCounter<std::string_view, uint32_t> responses_;
};

class TaggedMetrics : public proxy_wasm::HttpContextFor<MetricsRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    if (auto s = root().requests().increment(); !s) proxy_wasm::logWarn("cannot count: ", s);
    if (auto method = getRequestHeader(":method")) method_ = method->str();
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    uint32_t code = 0;
    if (auto status = getResponseHeader(":status")) code = uint32_t(std::stoul("0" + status->str()));
    if (auto s = root().responses().increment(1, method_, code); !s) proxy_wasm::logWarn("cannot count: ", s);
    return proxy_wasm::Action::Continue;
  }

 private:
  std::string method_ = "unknown";
};

proxy_wasm::RegisterContextFactory<MetricsRoot, TaggedMetrics> registration{"tagged_metrics"};

}  // namespace
