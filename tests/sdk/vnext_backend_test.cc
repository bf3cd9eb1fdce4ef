// The SDK's vNEXT draft backend (PROXY_WASM_ABI_VNEXT=1) at the wire: a plugin linked with a
// recording fake host that speaks the draft (vnext_proxy_* functions), driven through the
// draft's callbacks (vnext_proxy_on_*). Every expectation is the draft's (abi/vnext.h,
// docs/vnext.md): 1-based enums, iovec maps whose sizes count vectors, one host block per
// returned iovec array, finalize instead of done/log/delete, native timers, and the choices
// docs/vnext.md records where the draft is ambiguous. Each choice has a case here.
#include <doctest/doctest.h>

#include <proxy_wasm/proxy_wasm.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#if !PROXY_WASM_ABI_VNEXT
#error "this test builds with PROXY_WASM_ABI_VNEXT=1"
#endif

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string out = "{";
    for (const auto& s : v) out += "\"" + s + "\", ";
    return (out + "}").c_str();
  }
};
}  // namespace doctest

using proxy_wasm::vnext::Iovec;
using namespace proxy_wasm::vnext::wire;

// ---- The fake host --------------------------------------------------------------------------
namespace fake {

using Pairs = std::vector<std::pair<std::string, std::vector<std::string>>>;  // key -> values

std::vector<std::string> calls;                       // "name(args)" in call order
std::vector<std::pair<uint32_t, std::string>> logs;   // wire level, message
uint32_t effective = 0;
std::map<uint32_t, Pairs> maps;                       // by wire map type
std::string buffer;                                   // what proxy_get_buffer answers
uint32_t next_id = 100;                               // timers, queues, metrics, callouts
uint32_t answer = kOk;                                // what the next call answers (then Ok again)
bool malformed_map = false;                           // proxy_get_map_values returns a bad entry
std::map<std::string, std::pair<std::string, uint32_t>> kv;  // key -> (value, cas)

void reset() {
  calls.clear();
  logs.clear();
  effective = 0;
  maps.clear();
  buffer.clear();
  next_id = 100;
  answer = kOk;
  malformed_map = false;
  kv.clear();
}

uint32_t takeAnswer() { return std::exchange(answer, uint32_t(kOk)); }

// A call with one integer argument, recorded as "name(arg)"; answers Ok.
uint32_t record(const char* name, uint32_t arg) {
  calls.push_back(std::string(name) + "(" + std::to_string(arg) + ")");
  return kOk;
}

std::string str(const char* data, size_t size) { return std::string(data ? data : "", size); }

// An iovec map as text: {k=v1,v2;k2=}; checks that every size counts vectors.
std::string mapText(const Iovec* map, size_t size) {
  std::string out = "{";
  for (size_t i = 0; i < size; ++i) {
    const Iovec* inner = reinterpret_cast<const Iovec*>(map[i].data);
    out += (i ? ";" : "") + str(inner[0].data, inner[0].size) + "=";
    for (size_t j = 1; j < map[i].size; ++j) out += (j > 1 ? "," : "") + str(inner[j].data, inner[j].size);
  }
  return out + "}";
}
std::string listText(const Iovec* list, size_t size) {
  std::string out = "[";
  for (size_t i = 0; i < size; ++i) out += (i ? "," : "") + str(list[i].data, list[i].size);
  return out + "]";
}

// One allocation, as docs/vnext.md says the host makes it: the outer array first, then
// the inner arrays, then the bytes, all pointing inside it.
Iovec* block(const Pairs& entries) {
  size_t inner = 0, bytes = 0;
  for (const auto& [k, vs] : entries) {
    inner += 1 + vs.size();
    bytes += k.size();
    for (const auto& v : vs) bytes += v.size();
  }
  char* raw = static_cast<char*>(std::malloc(sizeof(Iovec) * (entries.size() + inner) + bytes + 1));
  Iovec* outer = reinterpret_cast<Iovec*>(raw);
  Iovec* in = outer + entries.size();
  char* data = reinterpret_cast<char*>(in + inner);
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [k, vs] = entries[i];
    outer[i] = {reinterpret_cast<const char*>(in), 1 + vs.size()};
    auto put = [&](const std::string& s) {
      std::memcpy(data, s.data(), s.size());
      *in++ = {data, s.size()};
      data += s.size();
    };
    put(k);
    for (const auto& v : vs) put(v);
  }
  return outer;
}

}  // namespace fake

extern "C" {
[[noreturn]] void proxy_wasm_native_trap(const char* message, size_t size) {
  FAIL("the plugin trapped: " << std::string(message, size));
  std::abort();
}

uint32_t vnext_proxy_log(uint32_t level, const char* message, size_t size) {
  fake::logs.emplace_back(level, fake::str(message, size));
  return kOk;
}
uint32_t vnext_proxy_set_effective_context(uint32_t id) {
  fake::calls.push_back("set_effective_context(" + std::to_string(id) + ")");
  fake::effective = id;
  return kOk;
}
uint32_t vnext_proxy_context_finalize() {
  fake::calls.push_back("context_finalize() on " + std::to_string(fake::effective));
  return kOk;
}
uint32_t vnext_proxy_resume_stream(uint32_t t) { return fake::record("resume_stream", t); }
uint32_t vnext_proxy_close_stream(uint32_t t) { return fake::record("close_stream", t); }
uint32_t vnext_proxy_resume_http_stream(uint32_t t) { return fake::record("resume_http_stream", t); }
uint32_t vnext_proxy_close_http_stream(uint32_t t) { return fake::record("close_http_stream", t); }
uint32_t vnext_proxy_send_http_response(uint32_t code, const char* details, size_t details_size, const char* body,
                                        size_t body_size, const Iovec* headers, size_t headers_size, uint32_t grpc) {
  fake::calls.push_back("send_http_response(" + std::to_string(code) + ", " + fake::str(details, details_size) + ", " +
                        fake::str(body, body_size) + ", " + fake::mapText(headers, headers_size) + ", " +
                        std::to_string(headers_size) + ", " + std::to_string(grpc) + ")");
  return fake::takeAnswer();
}
uint32_t vnext_proxy_get_buffer(uint32_t type, size_t offset, size_t max, char** data, size_t* size) {
  fake::calls.push_back("get_buffer(" + std::to_string(type) + ", " + std::to_string(offset) + ", " +
                        std::to_string(max) + ")");
  if (const uint32_t a = fake::takeAnswer(); a != kOk) return a;
  if (fake::buffer.empty()) return kEmpty;
  *data = static_cast<char*>(std::malloc(fake::buffer.size()));
  std::memcpy(*data, fake::buffer.data(), fake::buffer.size());
  *size = fake::buffer.size();
  return kOk;
}
uint32_t vnext_proxy_set_buffer(uint32_t type, size_t offset, size_t size, const char* data, size_t data_size) {
  fake::calls.push_back("set_buffer(" + std::to_string(type) + ", " + std::to_string(offset) + ", " +
                        std::to_string(size) + ", " + fake::str(data, data_size) + ")");
  return kOk;
}
uint32_t vnext_proxy_get_map_values(uint32_t type, const Iovec* keys, size_t keys_size, Iovec** out,
                                    size_t* out_size) {
  fake::calls.push_back("get_map_values(" + std::to_string(type) + ", " + fake::listText(keys, keys_size) + ", " +
                        std::to_string(keys_size) + ")");
  if (const uint32_t a = fake::takeAnswer(); a != kOk) return a;
  fake::Pairs entries;
  for (const auto& e : fake::maps[type]) {
    bool asked = keys_size == 0;
    for (size_t i = 0; i < keys_size; ++i) asked = asked || fake::str(keys[i].data, keys[i].size) == e.first;
    if (asked) entries.push_back(e);
  }
  *out = fake::block(entries);
  *out_size = entries.size();
  if (fake::malformed_map && !entries.empty()) (*out)[0].size = 0;  // an entry without its key
  return kOk;
}
uint32_t vnext_proxy_set_map_values(uint32_t type, const Iovec* remove, size_t remove_size, const Iovec* map,
                                    size_t map_size) {
  fake::calls.push_back("set_map_values(" + std::to_string(type) + ", " + fake::listText(remove, remove_size) + ", " +
                        fake::mapText(map, map_size) + ")");
  return kOk;
}
uint32_t vnext_proxy_open_shared_kvstore(const char*, size_t, uint32_t, uint32_t*) { return kNotFound; }
uint32_t vnext_proxy_get_shared_kvstore_key_values(uint32_t store, const char* key, size_t key_size, Iovec** values,
                                                   size_t* count, uint32_t* cas) {
  fake::calls.push_back("get_shared_kvstore_key_values(" + std::to_string(store) + ", " + fake::str(key, key_size) +
                        ")");
  auto it = fake::kv.find(fake::str(key, key_size));
  if (it == fake::kv.end()) return kNotFound;
  // A value list: one block, the iovec first, then the bytes.
  const std::string& v = it->second.first;
  char* raw = static_cast<char*>(std::malloc(sizeof(Iovec) + v.size() + 1));
  Iovec* list = reinterpret_cast<Iovec*>(raw);
  std::memcpy(raw + sizeof(Iovec), v.data(), v.size());
  list[0] = {raw + sizeof(Iovec), v.size()};
  *values = list;
  *count = 1;
  *cas = it->second.second;
  return kOk;
}
uint32_t vnext_proxy_set_shared_kvstore_key_values(uint32_t store, const char* key, size_t key_size,
                                                   const Iovec* values, size_t count, uint32_t cas) {
  fake::calls.push_back("set_shared_kvstore_key_values(" + std::to_string(store) + ", " + fake::str(key, key_size) +
                        ", " + fake::listText(values, count) + ", " + std::to_string(count) + ", " +
                        std::to_string(cas) + ")");
  auto& slot = fake::kv[fake::str(key, key_size)];
  if (cas != 0 && cas != slot.second) return kCompareAndSwapMismatch;
  slot = {fake::str(values[0].data, values[0].size), slot.second + 1};
  return kOk;
}
uint32_t vnext_proxy_add_shared_kvstore_key_values(uint32_t, const char*, size_t, const Iovec*, size_t, uint32_t) {
  return kOk;
}
uint32_t vnext_proxy_remove_shared_kvstore_key(uint32_t, const char*, size_t, uint32_t) { return kOk; }
uint32_t vnext_proxy_delete_shared_kvstore(uint32_t) { return kOk; }
uint32_t vnext_proxy_open_shared_queue(const char* name, size_t size, uint32_t create, uint32_t* id) {
  fake::calls.push_back("open_shared_queue(" + fake::str(name, size) + ", " + std::to_string(create) + ")");
  if (!create) return kNotFound;
  *id = fake::next_id++;
  return kOk;
}
uint32_t vnext_proxy_dequeue_shared_queue_item(uint32_t queue, char**, size_t*) {
  fake::calls.push_back("dequeue_shared_queue_item(" + std::to_string(queue) + ")");
  return kEmpty;
}
uint32_t vnext_proxy_enqueue_shared_queue_item(uint32_t queue, const char* data, size_t size) {
  fake::calls.push_back("enqueue_shared_queue_item(" + std::to_string(queue) + ", " + fake::str(data, size) + ")");
  return kOk;
}
uint32_t vnext_proxy_delete_shared_queue(uint32_t queue) { return fake::record("delete_shared_queue", queue); }
uint32_t vnext_proxy_create_timer(uint32_t period, uint32_t one_time, uint32_t* id) {
  *id = fake::next_id++;
  fake::calls.push_back("create_timer(" + std::to_string(period) + ", " + std::to_string(one_time) + ") = " +
                        std::to_string(*id) + " on " + std::to_string(fake::effective));
  return kOk;
}
uint32_t vnext_proxy_delete_timer(uint32_t id) { return fake::record("delete_timer", id); }
uint32_t vnext_proxy_create_metric(uint32_t type, const char* name, size_t size, uint32_t* id) {
  *id = fake::next_id++;
  fake::calls.push_back("create_metric(" + std::to_string(type) + ", " + fake::str(name, size) + ")");
  return kOk;
}
uint32_t vnext_proxy_get_metric_value(uint32_t, uint64_t* value) {
  *value = 42;
  return kOk;
}
uint32_t vnext_proxy_set_metric_value(uint32_t id, uint64_t value) {
  fake::calls.push_back("set_metric_value(" + std::to_string(id) + ", " + std::to_string(value) + ")");
  return kOk;
}
uint32_t vnext_proxy_increment_metric_value(uint32_t id, int64_t offset) {
  fake::calls.push_back("increment_metric_value(" + std::to_string(id) + ", " + std::to_string(offset) + ")");
  return fake::takeAnswer();
}
uint32_t vnext_proxy_delete_metric(uint32_t id) { return fake::record("delete_metric", id); }
uint32_t vnext_proxy_dispatch_http_call(const char* upstream, size_t upstream_size, const Iovec* headers,
                                        size_t headers_size, const char* body, size_t body_size, const Iovec* trailers,
                                        size_t trailers_size, uint32_t timeout, uint32_t* id) {
  *id = fake::next_id++;
  fake::calls.push_back("dispatch_http_call(" + fake::str(upstream, upstream_size) + ", " +
                        fake::mapText(headers, headers_size) + ", " + fake::str(body, body_size) + ", " +
                        fake::mapText(trailers, trailers_size) + ", " + std::to_string(timeout) + ") = " +
                        std::to_string(*id) + " on " + std::to_string(fake::effective));
  return kOk;
}
uint32_t vnext_proxy_dispatch_grpc_call(const char*, size_t, const char*, size_t, const char*, size_t, const Iovec*,
                                        size_t, const char*, size_t, uint32_t, uint32_t* id) {
  *id = fake::next_id++;
  return kOk;
}
uint32_t vnext_proxy_open_grpc_stream(const char*, size_t, const char*, size_t, const char*, size_t, const Iovec*,
                                      size_t, uint32_t* id) {
  *id = fake::next_id++;
  return kOk;
}
uint32_t vnext_proxy_send_grpc_stream_message(uint32_t id, const char* m, size_t size) {
  fake::calls.push_back("send_grpc_stream_message(" + std::to_string(id) + ", " + fake::str(m, size) + ")");
  return kOk;
}
uint32_t vnext_proxy_cancel_grpc_call(uint32_t id) { return fake::record("cancel_grpc_call", id); }
uint32_t vnext_proxy_close_grpc_call(uint32_t id) { return fake::record("close_grpc_call", id); }
uint32_t vnext_proxy_call_custom_function(uint32_t id, const char* params, size_t size, char** out, size_t* out_size) {
  fake::calls.push_back("call_custom_function(" + std::to_string(id) + ", " + fake::str(params, size) + ")");
  *out = static_cast<char*>(std::malloc(2));
  std::memcpy(*out, "ok", 2);
  *out_size = 2;
  return kOk;
}
}  // extern "C"

// ---- The plugin -----------------------------------------------------------------------------
namespace {

std::vector<std::string> events;  // what the plugin's hooks saw
proxy_wasm::Action next_action = proxy_wasm::Action::Continue;
bool root_done = true;

class Root : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t vm_size) override {
    events.push_back("onStart(" + std::to_string(vm_size) + ")");
    return true;
  }
  bool onConfigure(size_t size) override {
    events.push_back("onConfigure(" + std::to_string(size) + ")");
    return true;
  }
  void onQueueReady(uint32_t queue) override { events.push_back("onQueueReady(" + std::to_string(queue) + ")"); }
  void onForeignFunction(uint32_t id, size_t size) override {
    events.push_back("onForeignFunction(" + std::to_string(id) + ", " + std::to_string(size) + ")");
  }
  void onTick() override { events.push_back("onTick"); }
  bool onDone() override {
    events.push_back("root onDone");
    return root_done;
  }
  void onLog() override { events.push_back("root onLog"); }
  void onDelete() override { events.push_back("root onDelete"); }
};

class Http : public proxy_wasm::HttpContextFor<Root> {
 public:
  using HttpContextFor::HttpContextFor;
  proxy_wasm::Action onRequestHeaders(uint32_t n, bool eos) override {
    events.push_back("onRequestHeaders(" + std::to_string(n) + ", " + std::to_string(eos) + ")");
    return next_action;
  }
  proxy_wasm::Action onRequestBody(size_t n, bool eos) override {
    events.push_back("onRequestBody(" + std::to_string(n) + ", " + std::to_string(eos) + ")");
    return next_action;
  }
  proxy_wasm::Action onRequestTrailers(uint32_t n) override {
    events.push_back("onRequestTrailers(" + std::to_string(n) + ")");
    return next_action;
  }
  bool onDone() override {
    events.push_back("onDone");
    return false;  // a stream's answer is not a question
  }
  void onLog() override { events.push_back("onLog"); }
  void onDelete() override { events.push_back("onDelete"); }
};

proxy_wasm::RegisterContextFactory<Root, Http> registration{""};

constexpr uint32_t kVm = 1, kPlugin = 2, kStream = 3;

// A fresh SDK and host; the VM, the plugin (its configuration is 5 bytes) and one HTTP stream.
Root& start() {
  proxy_wasm_native_reset();
  fake::reset();
  events.clear();
  next_action = proxy_wasm::Action::Continue;
  root_done = true;
  CHECK(vnext_proxy_on_context_create(kVm, 0, kVmContext) == 0);
  CHECK(vnext_proxy_on_vm_start(kVm, 3) == 1);
  CHECK(vnext_proxy_on_context_create(kPlugin, kVm, kPluginContext) == 0);
  CHECK(vnext_proxy_on_plugin_start(kPlugin, 5) == 1);
  CHECK(vnext_proxy_on_context_create(kStream, kPlugin, kHttpContext) == 0);
  fake::effective = kStream;  // a host acts on the context of its last callback
  auto* root = static_cast<Root*>(proxy_wasm::detail::runtime().contexts.find(kPlugin));
  REQUIRE(root != nullptr);
  return *root;
}

Http& stream() {
  auto* c = proxy_wasm::detail::runtime().contexts.find(kStream);
  REQUIRE(c != nullptr);
  return static_cast<Http&>(*c);
}

using Strings = std::vector<std::string>;

}  // namespace

// ---- Cases ----------------------------------------------------------------------------------

TEST_CASE("vNEXT: plugin start runs onStart with the VM configuration's size, then onConfigure") {
  start();
  CHECK(events == Strings{"onStart(3)", "onConfigure(5)"});
}

TEST_CASE("vNEXT: actions are the draft's 1-based values; Pause on a body is WaitForMoreData") {
  start();
  using proxy_wasm::Action;
  const std::pair<Action, uint32_t> headers[] = {
      {Action::Continue, kContinue},         {Action::EndStream, kEndStream}, {Action::Done, kDone},
      {Action::Pause, kPause},               {Action::WaitForMoreData, kWaitForMoreData},
      {Action::WaitForEndOrFull, kWaitForEndOrFull}, {Action::Close, kClose}};
  for (auto [action, wire] : headers) {
    next_action = action;
    CHECK(vnext_proxy_on_http_request_headers(kStream, 4, 0) == wire);
  }
  next_action = Action::Pause;
  CHECK(vnext_proxy_on_http_request_body(kStream, 10, 0) == kWaitForMoreData);
  CHECK(vnext_proxy_on_http_request_trailers(kStream, 2, 1) == kPause);  // not a body
  CHECK(events.back() == "onRequestTrailers(2)");
  CHECK(events.size() == 2 + 7 + 2);
  CHECK(fake::calls.empty());  // no action needs a host call on vNEXT (v0.2.1's Close does)
}

TEST_CASE("vNEXT: finalize runs onDone, onLog and onDelete; a stream's false from onDone is no question") {
  start();
  events.clear();
  CHECK(vnext_proxy_on_context_finalize(kStream) == 1);
  CHECK(events == Strings{"onDone", "onLog", "onDelete"});
  CHECK(proxy_wasm::detail::runtime().contexts.find(kStream) == nullptr);
  // A second finalize, or one for a context the SDK never had: done, nothing runs.
  events.clear();
  CHECK(vnext_proxy_on_context_finalize(kStream) == 1);
  CHECK(vnext_proxy_on_context_finalize(77) == 1);
  CHECK(events.empty());
}

TEST_CASE("vNEXT: a root whose onDone returns false is finalized by finish()") {
  Root& root = start();
  CHECK(vnext_proxy_on_context_finalize(kStream) == 1);
  events.clear();
  root_done = false;
  CHECK(root.finish() == proxy_wasm::Status::NotFound);  // nothing pending yet
  CHECK(vnext_proxy_on_context_finalize(kPlugin) == 0);
  fake::effective = kPlugin;
  CHECK(events == Strings{"root onDone"});
  fake::calls.clear();
  CHECK(root.finish().ok());
  CHECK(fake::calls == Strings{"context_finalize() on 2"});
  CHECK(events == Strings{"root onDone", "root onLog", "root onDelete"});
}

TEST_CASE("vNEXT: header reads send the keys as iovecs and take one host block back") {
  start();
  fake::maps[kHttpRequestHeaders] = {{":path", {"/a"}}, {"x-multi", {"1", "2"}}, {"x-empty", {""}}};
  Http& s = stream();
  auto v = s.getRequestHeader("x-multi");
  REQUIRE(v.ok());
  REQUIRE(v.has_value());
  CHECK(*v == "1");  // the first value, as v0.2.1 hosts answer
  CHECK(fake::calls.back() == "get_map_values(1, [x-multi], 1)");
  auto absent = s.getRequestHeader("x-none");
  CHECK(absent.ok());
  CHECK_FALSE(absent.has_value());
  auto empty = s.getRequestHeader("x-empty");
  REQUIRE(empty.has_value());
  CHECK(*empty == "");
  auto all = s.getRequestHeaders();
  REQUIRE(all.ok());
  std::vector<std::pair<std::string, std::string>> got;
  for (auto [k, val] : *all) got.emplace_back(std::string(k), std::string(val));
  CHECK(got == std::vector<std::pair<std::string, std::string>>{
                   {":path", "/a"}, {"x-multi", "1"}, {"x-multi", "2"}, {"x-empty", ""}});
  CHECK(fake::calls.back() == "get_map_values(1, [], 0)");
  // Response maps are the draft's 4 and 5.
  (void)s.getResponseHeader("x");
  CHECK(fake::calls.back() == "get_map_values(4, [x], 1)");
}

TEST_CASE("vNEXT: a malformed map from the host is ParseFailure, never a crash") {
  start();
  fake::maps[kHttpRequestHeaders] = {{"a", {"1"}}};
  fake::malformed_map = true;
  CHECK(stream().getRequestHeader("a").status() == proxy_wasm::Status::ParseFailure);
  CHECK(stream().getRequestHeaders().status() == proxy_wasm::Status::ParseFailure);
  fake::answer = kBadArgument;
  CHECK(stream().getRequestHeader("a").status() == proxy_wasm::Status::BadArgument);
}

TEST_CASE("vNEXT: header writes are set_map_values: add appends, replace removes first, remove removes") {
  start();
  Http& s = stream();
  CHECK(s.addRequestHeader("x-a", "1").ok());
  CHECK(s.replaceRequestHeader("x-b", "2").ok());
  CHECK(s.removeRequestHeader("x-c").ok());
  CHECK(s.setResponseHeaders({{"k", "v"}, {"k", "w"}}).ok());
  // The stream is the effective context already (its creation was the last callback).
  CHECK(fake::calls == Strings{"set_map_values(1, [], {x-a=1})",
                               "set_map_values(1, [x-b], {x-b=2})", "set_map_values(1, [x-c], {})",
                               "set_map_values(4, [*,:*], {k=v;k=w})"});
}

TEST_CASE("vNEXT: a local reply's headers are an iovec map whose size counts entries") {
  start();
  CHECK(stream().sendLocalResponse(403, "denied", {{"x-why", "policy"}, {"x-id", "7"}}, "rbac").ok());
  CHECK(fake::calls.back() == "send_http_response(403, rbac, denied, {x-why=policy;x-id=7}, 2, " +
                                  std::to_string(uint32_t(proxy_wasm::GrpcStatus::None)) + ")");
}

TEST_CASE("vNEXT: stream control uses the HTTP or the TCP calls with the draft's stream types") {
  start();
  CHECK(stream().continueRequest().ok());
  CHECK(stream().closeResponse().ok());
  CHECK(fake::calls == Strings{"resume_http_stream(3)", "close_http_stream(4)"});
  fake::calls.clear();
  {
    proxy_wasm::detail::Scope scope(kPlugin);  // from a callback of the root
    fake::effective = kPlugin;
    CHECK(stream().continueRequest().ok());
  }
  CHECK(fake::calls == Strings{"set_effective_context(3)", "resume_http_stream(3)"});
}

TEST_CASE("vNEXT: timers are native, and their callback runs with the root effective") {
  Root& root = start();
  int fired = 0;
  auto once = root.addOneShotTimer(std::chrono::milliseconds(250), [&] {
    ++fired;
    (void)proxy_wasm::logInfo("tick");
  });
  REQUIRE(once.ok());
  auto every = root.addTimer(std::chrono::seconds(2), [&] { fired += 10; });
  REQUIRE(every.ok());
  CHECK(root.timerCount() == 2);
  CHECK(fake::calls == Strings{"set_effective_context(2)", "create_timer(250, 1) = 100 on 2",
                               "create_timer(2000, 0) = 101 on 2"});
  fake::calls.clear();
  fake::effective = 3;  // the host acts on some stream when the timer fires
  vnext_proxy_on_timer_ready(*once);
  CHECK(fired == 1);
  CHECK(fake::calls == Strings{"set_effective_context(2)"});
  CHECK(fake::logs.back() == std::make_pair(uint32_t(kInfo), std::string("tick")));
  CHECK(root.timerCount() == 1);  // a one-shot is over once it fired
  vnext_proxy_on_timer_ready(*once);  // late: ignored
  CHECK(fired == 1);
  vnext_proxy_on_timer_ready(*every);
  vnext_proxy_on_timer_ready(*every);
  CHECK(fired == 21);
  fake::calls.clear();
  CHECK(root.cancelTimer(*every));
  CHECK_FALSE(root.cancelTimer(*every));
  CHECK(fake::calls == Strings{"delete_timer(101)"});
  CHECK(root.timerCount() == 0);
}

TEST_CASE("vNEXT: setTickPeriod is a repeating native timer calling onTick; 0 deletes it") {
  Root& root = start();
  CHECK(root.setTickPeriod(1000).ok());
  CHECK(root.timerCount() == 0);  // addTimer's timers only
  CHECK(fake::calls.back() == "create_timer(1000, 0) = 100 on 2");
  events.clear();
  vnext_proxy_on_timer_ready(100);
  CHECK(events == Strings{"onTick"});
  CHECK(root.setTickPeriod(0).ok());
  CHECK(fake::calls.back() == "delete_timer(100)");
}

TEST_CASE("vNEXT: a queue's items reach the root that opened it, as the effective context") {
  start();
  events.clear();
  fake::calls.clear();
  // Opened from the stream's callback: its root listens.
  {
    proxy_wasm::detail::Scope scope(kStream);
    auto q = proxy_wasm::registerSharedQueue("jobs");
    REQUIRE(q.ok());
    CHECK(*q == 100);
    CHECK(proxy_wasm::enqueueSharedQueue(*q, "x").ok());
    auto item = proxy_wasm::dequeueSharedQueue(*q);
    CHECK(item.ok());
    CHECK_FALSE(item.has_value());  // Empty is absence
    CHECK_FALSE(proxy_wasm::resolveSharedQueue("", "other").has_value());
    CHECK(proxy_wasm::resolveSharedQueue("vm2", "jobs").status() == proxy_wasm::Status::Unimplemented);
  }
  CHECK(fake::calls == Strings{"open_shared_queue(jobs, 1)", "enqueue_shared_queue_item(100, x)",
                               "dequeue_shared_queue_item(100)", "open_shared_queue(other, 0)"});
  fake::calls.clear();
  vnext_proxy_on_queue_ready(100);
  CHECK(events == Strings{"onQueueReady(100)"});
  CHECK(proxy_wasm::deleteSharedQueue(100).ok());
  events.clear();
  vnext_proxy_on_queue_ready(100);  // nobody listens any more
  CHECK(events.empty());
}

TEST_CASE("vNEXT: shared data is kvstore 0 with single-value lists") {
  start();
  CHECK(proxy_wasm::setSharedData("k", "v1").ok());
  auto v = proxy_wasm::getSharedData("k");
  REQUIRE(v.has_value());
  CHECK(v->value == "v1");
  CHECK(v->cas == 1);
  CHECK(proxy_wasm::setSharedData("k", "v2", 5) == proxy_wasm::Status::CasMismatch);
  CHECK_FALSE(proxy_wasm::getSharedData("none").has_value());
  CHECK(fake::calls == Strings{"set_shared_kvstore_key_values(0, k, [v1], 1, 0)", "get_shared_kvstore_key_values(0, k)",
                               "set_shared_kvstore_key_values(0, k, [v2], 1, 5)",
                               "get_shared_kvstore_key_values(0, none)"});
}

TEST_CASE("vNEXT: metrics use the draft's 1-based types and its results") {
  start();
  auto id = proxy_wasm::defineMetric(proxy_wasm::MetricType::Gauge, "g");
  REQUIRE(id.ok());
  CHECK(proxy_wasm::recordMetric(*id, 7).ok());
  fake::answer = kInvalidOperation;
  CHECK(proxy_wasm::incrementMetric(*id, 1) == proxy_wasm::Status::InvalidOperation);
  CHECK(proxy_wasm::getMetric(*id).value_or(0) == 42);
  CHECK(proxy_wasm::deleteMetric(*id).ok());
  CHECK(fake::calls == Strings{"create_metric(2, g)", "set_metric_value(100, 7)", "increment_metric_value(100, 1)",
                               "delete_metric(100)"});
}

TEST_CASE("vNEXT: an HTTP callout's headers are an iovec map; its response reaches the issuer, made effective") {
  start();
  Http& s = stream();
  int responses = 0;
  auto token = s.httpCall(proxy_wasm::HttpRequest("cluster").header(":path", "/x").body("b").timeout(
                              std::chrono::milliseconds(500)),
                          [&](const proxy_wasm::HttpCallResponse& r) {
                            ++responses;
                            CHECK(r.headerCount() == 2);
                            CHECK(r.failure().status() == proxy_wasm::Status::Unimplemented);
                          });
  REQUIRE(token.ok());
  CHECK(fake::calls.back().rfind("dispatch_http_call(cluster, {:path=/x", 0) == 0);
  CHECK(fake::calls.back().find(", b, {}, 500) = 100 on 3") != std::string::npos);
  fake::calls.clear();
  fake::effective = kPlugin;
  vnext_proxy_on_http_call_response(*token, 2, 0, 0);
  CHECK(responses == 1);
  CHECK(fake::calls.front() == "set_effective_context(3)");
  vnext_proxy_on_http_call_response(*token, 2, 0, 0);  // once only
  CHECK(responses == 1);
}

TEST_CASE("vNEXT: gRPC send with end of stream sends, then closes (the draft's message call has no flag)") {
  start();
  Http& s = stream();
  struct Handler : proxy_wasm::GrpcStreamHandler {
    std::vector<std::string>* seen = nullptr;
    void onMessage(size_t size) override {
      seen->push_back("message " + std::to_string(size));
      if (size == 1) CHECK(send("last", true).ok());
    }
    void onClose(proxy_wasm::GrpcStatus status) override {
      seen->push_back("close " + std::to_string(uint32_t(status)));
    }
  };
  std::vector<std::string> seen;
  auto handler = std::make_unique<Handler>();
  handler->seen = &seen;
  auto token = s.grpcStream(proxy_wasm::GrpcRequest("up", "svc", "M"), std::move(handler));
  REQUIRE(token.ok());
  fake::calls.clear();
  vnext_proxy_on_grpc_call_response_message(*token, 1);
  CHECK(fake::calls == Strings{"set_effective_context(3)", "send_grpc_stream_message(100, last)",
                               "close_grpc_call(100)"});
  vnext_proxy_on_grpc_call_close(*token, 0);
  CHECK(seen == Strings{"message 1", "close 0"});
}

TEST_CASE("vNEXT: what the draft lacks answers Unimplemented with a warning, never a trap") {
  start();
  proxy_wasm::detail::Scope scope(kStream);
  fake::logs.clear();
  CHECK(stream().getProperty({"request", "path"}).status() == proxy_wasm::Status::Unimplemented);
  CHECK(proxy_wasm::getCurrentTimeNanoseconds().status() == proxy_wasm::Status::Unimplemented);
  CHECK(proxy_wasm::callForeignFunction("f", "").status() == proxy_wasm::Status::Unimplemented);
  CHECK(fake::logs.size() == 3);
  for (const auto& [level, line] : fake::logs) {
    CHECK(level == kWarning);
    CHECK(line.rfind("proxy-wasm: not in the vNEXT draft ABI: ", 0) == 0);
  }
  static_assert(!proxy_wasm::features::kProperties && proxy_wasm::features::kCustomFunctions);
  // The level is the host's business: every line is sent; Critical goes at Error.
  CHECK(proxy_wasm::logLevel() == proxy_wasm::LogLevel::Trace);
  proxy_wasm::logCritical("bad");
  CHECK(fake::logs.back() == std::make_pair(uint32_t(kError), std::string("bad")));
  // Custom functions are the draft's: by id.
  auto r = proxy_wasm::callCustomFunction(9, "p");
  REQUIRE(r.ok());
  CHECK(*r == "ok");
}

TEST_CASE("vNEXT: custom callbacks go to the plugin's root") {
  start();
  events.clear();
  CHECK(vnext_proxy_on_custom_callback(4, 12) == 1);
  CHECK(events == Strings{"onForeignFunction(4, 12)"});
}

TEST_CASE("vNEXT: a context of the wrong type, or of an unknown plugin, is refused with a log line") {
  start();
  fake::logs.clear();
  CHECK(vnext_proxy_on_context_create(9, kPlugin, kStreamContext) == 0);
  CHECK(proxy_wasm::detail::runtime().contexts.find(9) == nullptr);
  CHECK(vnext_proxy_on_context_create(10, 55, kHttpContext) == 0);
  CHECK(proxy_wasm::detail::runtime().contexts.find(10) == nullptr);
  REQUIRE(fake::logs.size() == 2);
  CHECK(fake::logs[0].second.find("the host created a TCP context 9 but root id '' registered HTTP contexts") !=
        std::string::npos);
  CHECK(fake::logs[1].second == "proxy-wasm: context 10 created with unknown plugin context 55");
}

TEST_CASE("vNEXT: a module with several named root ids fails its plugin start with a log line") {
  proxy_wasm_native_reset();
  fake::reset();
  auto& r = proxy_wasm::detail::runtime();
  const proxy_wasm::detail::Factory* saved = r.factories;
  proxy_wasm::detail::Factory a{"a", saved->make_root, saved->make_stream, nullptr};
  proxy_wasm::detail::Factory b{"b", saved->make_root, saved->make_stream, &a};
  r.factories = &b;
  CHECK(vnext_proxy_on_context_create(kPlugin, 0, kPluginContext) == 0);
  CHECK(vnext_proxy_on_plugin_start(kPlugin, 0) == 0);
  REQUIRE_FALSE(fake::logs.empty());
  CHECK(fake::logs.front().first == kError);
  CHECK(fake::logs.front().second.find("2 root ids are registered") != std::string::npos);
  // With an empty root id among them, that one serves.
  proxy_wasm_native_reset();
  a.next = saved;
  r.factories = &b;
  CHECK(vnext_proxy_on_context_create(kPlugin, 0, kPluginContext) == 0);
  CHECK(vnext_proxy_on_plugin_start(kPlugin, 0) == 1);
  proxy_wasm_native_reset();
  r.factories = saved;
}
