// Benchmark plugin (typed SDK), body twin: a buffered request-body rewrite. Each chunk is
// held (Action::Pause: StopIterationAndBuffer on the wire) until the one with end of
// stream; then the whole buffered body is read and replaced by its ASCII upper case.
// raw_body.cc does the same against the raw ABI.
#include <proxy_wasm/proxy_wasm.h>

#include <cstdlib>

namespace {

class BodyRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
};

class BodyHttp : public proxy_wasm::HttpContextFor<BodyRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestBody(size_t, bool end_of_stream) override {
    if (!end_of_stream) return proxy_wasm::Action::Pause;
    auto body = getRequestBody();
    if (!body) return proxy_wasm::Action::Continue;
    // Upper-cased in place, in the block the host handed over (raw_body does the same);
    // a std::string copy, as examples/http_body makes, would add an allocation and a copy.
    const size_t size = body->size();
    char* bytes = body->release();
    for (size_t i = 0; i < size; ++i)
      if (bytes[i] >= 'a' && bytes[i] <= 'z') bytes[i] = char(bytes[i] - 'a' + 'A');
    (void)replaceRequestBody({bytes, size});
    std::free(bytes);
    return proxy_wasm::Action::Continue;
  }
};

proxy_wasm::RegisterContextFactory<BodyRoot, BodyHttp> registration{"bench"};

}  // namespace
