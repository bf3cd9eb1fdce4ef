// http_body: rewrites whole request and response bodies.
//
//   request, content-type starting with text/plain (any case): the body in ASCII upper case
//   response, any content type:                                  every "foo" becomes "bar"
//
// A body is rewritten once it is complete: each chunk is held (Action::Pause makes the host
// buffer it) until the chunk with end of stream, when the plugin sees the whole body and
// replaces it. content-length goes in the headers phase, before the new body's length is
// known. A body that ends with trailers instead is forwarded unchanged with the trailers.
#include <proxy_wasm/proxy_wasm.h>

#include <string>
#include <string_view>

namespace {

using proxy_wasm::Action;

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string asciiUpperCase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return out;
}

// Replaces every non-overlapping `from`, scanning left to right.
std::string replaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0;;) {
    const size_t hit = text.find(from, pos);
    out.append(text.substr(pos, hit - pos));
    if (hit == std::string_view::npos) return out;
    out.append(to);
    pos = hit + from.size();
  }
}

class BodyContext : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  Action onRequestHeaders(uint32_t, bool) override {
    auto type = getRequestHeader("content-type");
    if (!type.ok()) proxy_wasm::logWarn("cannot read content-type: ", type.status());
    rewrite_request_ = type && startsWithIgnoringCase(*type, "text/plain");
    if (rewrite_request_) {
      if (auto s = removeRequestHeader("content-length"); !s)
        proxy_wasm::logWarn("cannot remove the request content-length: ", s);
    }
    return Action::Continue;
  }

  Action onRequestBody(size_t, bool end_of_stream) override {
    if (!rewrite_request_) return Action::Continue;
    if (!end_of_stream) return Action::Pause;  // buffer until the whole body is there
    auto body = getRequestBody();
    if (!body) {
      proxy_wasm::logWarn("cannot read the request body: ", body.status());
      return Action::Continue;
    }
    if (auto s = replaceRequestBody(asciiUpperCase(*body)); !s)
      proxy_wasm::logWarn("cannot replace the request body: ", s);
    return Action::Continue;
  }

  Action onResponseHeaders(uint32_t, bool) override {
    if (auto s = removeResponseHeader("content-length"); !s)
      proxy_wasm::logWarn("cannot remove the response content-length: ", s);
    return Action::Continue;
  }

  Action onResponseBody(size_t, bool end_of_stream) override {
    if (!end_of_stream) return Action::Pause;
    auto body = getResponseBody();
    if (!body) {
      proxy_wasm::logWarn("cannot read the response body: ", body.status());
      return Action::Continue;
    }
    if (auto s = replaceResponseBody(replaceAll(*body, "foo", "bar")); !s)
      proxy_wasm::logWarn("cannot replace the response body: ", s);
    return Action::Continue;
  }

  // onRequestTrailers/onResponseTrailers are not overridden: they continue, which
  // forwards a body buffered so far unchanged.

 private:
  bool rewrite_request_ = false;
};

proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, BodyContext> registration{""};

}  // namespace
