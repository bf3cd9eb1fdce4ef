// SDK lifetime safety whatever order the host deletes contexts in, through the lifetime
// probe (tests/wasm_plugins/lifetime_probe.cc). The same cases run natively (under the
// sanitize preset ASan names any use of a freed context) and against the probe's .wasm in
// the engine (a wrong object shows in what the probe logs, or as a trap).
//
// The orders: a root deleted before its streams (Envoy tears a plugin's root down while
// requests are in flight: they finish on the root object the SDK keeps), a stream deleted
// from inside its own callout callback (a host call back into the module), a context id
// reused while live or right after its deletion, and deletions of ids the SDK never had.
// Host::deliverCallback delivers each callback as a host would, whatever the host model's
// own state.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using Lines = std::vector<std::string>;

namespace doctest {
template <>
struct StringMaker<Lines> {
  static String convert(const Lines& lines) {
    std::string out = "{";
    for (const std::string& l : lines) out += (out.size() > 1 ? ", \"" : "\"") + l + "\"";
    return (out + "}").c_str();
  }
};
}  // namespace doctest

namespace {

std::string n(uint32_t id) { return std::to_string(id); }

struct Probe {
  std::unique_ptr<Host> host = makeHost();
  uint32_t root = 0;
  size_t info_seen = 0, errors_seen = 0;  // host.logs() read so far by take() and errors()

  Probe() {
    root = host->startPlugin({"lifetime"});
    REQUIRE(root != 0);
    CHECK(take() == Lines{"new root " + n(root) + " 'lifetime'"});
  }
  // The Info lines logged since the last take(): the probe's record of what ran.
  Lines take() { return since(LogLevel::Info, info_seen); }
  // The Error lines logged since the last errors() (the SDK's own).
  Lines errors() { return since(LogLevel::Error, errors_seen); }
  Lines since(LogLevel level, size_t& seen) {
    Lines out;
    const auto& logs = host->logs();
    for (size_t i = seen; i < logs.size(); ++i)
      if (logs[i].level == level) out.push_back(logs[i].message);
    seen = logs.size();
    return out;
  }
  // A stream whose request headers ran with `ops` in x-op.
  HttpStream& stream(std::string_view ops = {}) {
    HttpStream& s = host->newHttpStream(root);
    HeaderList headers{{":path", "/"}, {":method", "GET"}};
    if (!ops.empty()) headers.add("x-op", ops);
    s.sendRequestHeaders(headers, false);
    return s;
  }
  // How many probe objects are alive, as a fresh root of the same plugin counts them.
  std::string liveSeenByNewRoot() {
    const uint32_t other = host->startPlugin({"lifetime"});
    REQUIRE(other != 0);
    take();
    host->tick(other);
    const Lines lines = take();
    REQUIRE(lines.size() == 1);
    return lines[0];
  }
};

}  // namespace

TEST_CASE("a root deleted before its streams: they keep working on the root the SDK keeps, which goes with the last") {
  Probe p;
  Host& host = *p.host;
  HttpStream& a = p.stream("call");
  HttpStream& b = p.stream();
  const uint32_t root = p.root, ia = a.id(), ib = b.id();
  const uint32_t token = host.httpCalls().at(0).token;
  p.take();

  // The host deletes the root first: it is told, but its object waits for its streams.
  host.deliverCallback(Callback::Delete, {root});
  CHECK(p.take() == Lines{"delete " + n(root) + " of " + n(root) + " 'lifetime'"});

  // The streams go on: their callbacks run and read their root, the stream's callout
  // response reaches its callback.
  a.sendResponseHeaders({{":status", "200"}}, false);
  CHECK(p.take() == Lines{"response headers " + n(ia) + " of " + n(root) + " 'lifetime'"});
  REQUIRE(host.respondHttpCall(token, {{":status", "201"}}, "body"));
  CHECK(p.take() == Lines{"response " + n(ia) + " of " + n(root) + " 'lifetime': status 201"});

  // Root callbacks for the deleted root reach no object.
  host.tick(root);
  CHECK(p.take().empty());

  // The first stream ends (Envoy's order: log, done, delete): the root stays for the other.
  a.finish();
  CHECK(p.take() == Lines{"log " + n(ia), "done " + n(ia), "delete " + n(ia) + " of " + n(root) + " 'lifetime'",
                            "free " + n(ia) + " (2 left)"});
  b.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(p.take() == Lines{"response headers " + n(ib) + " of " + n(root) + " 'lifetime'"});
  // The last stream ends: the root goes with it.
  b.finish();
  CHECK(p.take() == Lines{"log " + n(ib), "done " + n(ib), "delete " + n(ib) + " of " + n(root) + " 'lifetime'",
                            "free " + n(ib) + " (1 left)", "free " + n(root) + " (0 left)"});
  CHECK(p.liveSeenByNewRoot() == "tick " + n(root + 3) + ": 1 live");  // only the new root

  // The host finishing the root it thinks is alive reaches nothing.
  host.shutdown();
  const Lines at_shutdown = p.take();
  CHECK(at_shutdown == Lines{"done " + n(root + 3), "delete " + n(root + 3) + " of " + n(root + 3) + " 'lifetime'",
                             "free " + n(root + 3) + " (0 left)"});
  CHECK(p.errors().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE("a root deleted with no stream is freed at once; one deleted with a pending stream callout drops nothing") {
  Probe p;
  Host& host = *p.host;
  host.deliverCallback(Callback::Delete, {p.root});
  CHECK(p.take() == Lines{"delete " + n(p.root) + " of " + n(p.root) + " 'lifetime'", "free " + n(p.root) + " (0 left)"});
  // A second delete of the same id, and the host's own finalization later, reach nothing.
  host.deliverCallback(Callback::Delete, {p.root});
  host.shutdown();
  CHECK(p.errors().empty());
  CHECK(p.take().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE("a stream deleted inside its own callout callback: the callback finishes on a live object, freed after it") {
  Probe p;
  Host& host = *p.host;
  // A host can only call into the module from inside a host call: the foreign function
  // "end_stream" deletes the calling stream (proxy_on_delete) while its callback runs.
  int deletions = 0;
  host.registerForeignFunction("end_stream", [&](std::string_view args, std::string&) {
    ++deletions;
    host.deliverCallback(Callback::Delete, {uint32_t(std::stoul(std::string(args)))});
    return Status(Status::Ok);
  });
  HttpStream& s = p.stream("call,end-in-callback,pause");
  const uint32_t id = s.id();
  CHECK(p.take() == Lines{"new http " + n(id) + " of " + n(p.root),
                            "request headers " + n(id) + " of " + n(p.root) + " 'lifetime'", "call " + n(id) + ": Ok"});
  REQUIRE(host.respondHttpCall(host.httpCalls().at(0).token, {{":status", "200"}}));
  CHECK(deletions == 1);
  CHECK(p.take() == Lines{"response " + n(id) + " of " + n(p.root) + " 'lifetime': status 200",
                            "delete " + n(id) + " of " + n(p.root) + " 'lifetime'",
                            "after end_stream " + n(id) + ": Ok kind http root 'lifetime'", "free " + n(id) + " (1 left)"});
  // The stream has stopped for the plugin: later callbacks for its id reach no object (an
  // error line names the id), and the host's own finalization of it runs nothing.
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(p.errors() == Lines{"proxy-wasm: callback for unknown or mismatched context " + n(id)});
  CHECK(p.take().empty());
  s.finish();
  CHECK(p.errors().empty());
  CHECK(p.take().empty());
  CHECK(p.liveSeenByNewRoot() == "tick " + n(id + 1) + ": 2 live");
  CHECK_FALSE(host.failed());
}

TEST_CASE("a live stream's id reused for a new stream: the old object is retired unnotified, the new one gets the callbacks") {
  Probe p;
  Host& host = *p.host;
  HttpStream& s = p.stream("call");
  const uint32_t id = s.id();
  p.take();
  host.deliverCallback(Callback::ContextCreate, {id, p.root});
  // The host forgot the old stream (it reuses the id): no onDelete; its callout goes with it.
  CHECK(p.take() == Lines{"new http " + n(id) + " of " + n(p.root), "free " + n(id) + " (2 left)"});
  REQUIRE(host.respondHttpCall(host.httpCalls().at(0).token, {{":status", "200"}}));
  CHECK(p.take().empty());  // the old stream's callback does not run
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(p.take() == Lines{"response headers " + n(id) + " of " + n(p.root) + " 'lifetime'"});
  s.finish();
  CHECK(p.take() == Lines{"log " + n(id), "done " + n(id), "delete " + n(id) + " of " + n(p.root) + " 'lifetime'",
                            "free " + n(id) + " (1 left)"});
  CHECK(p.errors().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE("a just-deleted stream's id reused: a new object, called and deleted like any") {
  Probe p;
  Host& host = *p.host;
  HttpStream& s = p.stream();
  const uint32_t id = s.id();
  s.finish();
  p.take();
  host.deliverCallback(Callback::ContextCreate, {id, p.root});
  host.deliverCallback(Callback::RequestHeaders, {id, 0, 1});
  host.deliverCallback(Callback::Delete, {id});
  CHECK(p.take() == Lines{"new http " + n(id) + " of " + n(p.root),
                            "request headers " + n(id) + " of " + n(p.root) + " 'lifetime'",
                            "delete " + n(id) + " of " + n(p.root) + " 'lifetime'", "free " + n(id) + " (1 left)"});
  CHECK(p.errors().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE("a deleted root's id reused for a new root while the old root's streams live: each stream keeps its own root") {
  Probe p;
  Host& host = *p.host;
  HttpStream& s = p.stream();
  const uint32_t root = p.root, id = s.id();
  host.deliverCallback(Callback::Delete, {root});
  p.take();
  // A new root with the same id (its root id comes from the host's plugin_root_id).
  host.deliverCallback(Callback::ContextCreate, {root, 0});
  CHECK(p.take() == Lines{"new root " + n(root) + " 'lifetime'"});
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(p.take() == Lines{"response headers " + n(id) + " of " + n(root) + " 'lifetime'"});
  s.finish();  // frees the stream and the old root, not the new one
  CHECK(p.take() == Lines{"log " + n(id), "done " + n(id), "delete " + n(id) + " of " + n(root) + " 'lifetime'",
                            "free " + n(id) + " (2 left)", "free " + n(root) + " (1 left)"});
  host.tick(root);  // the new root takes the root's callbacks
  CHECK(p.take() == Lines{"tick " + n(root) + ": 1 live"});
  host.shutdown();
  CHECK(p.take() == Lines{"done " + n(root), "delete " + n(root) + " of " + n(root) + " 'lifetime'",
                            "free " + n(root) + " (0 left)"});
  CHECK(p.errors().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE("a live root's id reused for a new root: the old root is retired unnotified and kept for its streams") {
  Probe p;
  Host& host = *p.host;
  HttpStream& s = p.stream();
  const uint32_t root = p.root, id = s.id();
  p.take();
  host.deliverCallback(Callback::ContextCreate, {root, 0});
  CHECK(p.take() == Lines{"new root " + n(root) + " 'lifetime'"});  // the old one waits for its stream
  s.finish();
  CHECK(p.take() == Lines{"log " + n(id), "done " + n(id), "delete " + n(id) + " of " + n(root) + " 'lifetime'",
                            "free " + n(id) + " (2 left)", "free " + n(root) + " (1 left)"});
  CHECK(p.errors().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE("a new root created with a live stream's id retires the stream") {
  Probe p;
  Host& host = *p.host;
  HttpStream& s = p.stream();
  const uint32_t id = s.id();
  p.take();
  host.deliverCallback(Callback::ContextCreate, {id, 0});
  CHECK(p.take() == Lines{"new root " + n(id) + " 'lifetime'", "free " + n(id) + " (2 left)"});
  // The host's later stream callbacks for the id reach the root, not a stream: refused.
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(p.errors() == Lines{"proxy-wasm: callback for unknown or mismatched context " + n(id)});
  CHECK(p.take().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE("deletes and finalization of ids the SDK does not have reach nothing") {
  Probe p;
  Host& host = *p.host;
  HttpStream& s = p.stream();
  const uint32_t id = s.id();
  s.finish();
  p.take();
  for (uint32_t unknown : {0u, id, id + 100, 0xFFFFFFFFu}) {
    CAPTURE(unknown);
    CHECK(host.deliverCallback(Callback::Log, {unknown}) == 0u);
    CHECK(host.deliverCallback(Callback::Done, {unknown}) == 1u);  // done: nothing holds it
    CHECK(host.deliverCallback(Callback::Delete, {unknown}) == 0u);
  }
  CHECK(p.errors().empty());
  CHECK(p.take().empty());
  // A stream created for a root the SDK does not have is refused, with an error line.
  host.deliverCallback(Callback::ContextCreate, {id + 200, id + 100});
  CHECK(p.errors() ==
        Lines{"proxy-wasm: context " + n(id + 200) + " created with unknown root context " + n(id + 100)});
  CHECK(p.take().empty());
  CHECK(p.liveSeenByNewRoot() == "tick " + n(id + 1) + ": 2 live");
  CHECK_FALSE(host.failed());
}
