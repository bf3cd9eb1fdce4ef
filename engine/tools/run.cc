// proxy-wasm-run: loads a plugin .wasm into the engine, starts it under the host model and
// plays a scenario (docs/scenario.md), printing what the plugin does at every step.
#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "input.h"
#include "proxy_wasm/engine/wasm_guest.h"
#include "proxy_wasm/host/host.h"
#include "scenario.h"

namespace {

using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using proxy_wasm::host::HeaderList;
using proxy_wasm::host::Host;
using proxy_wasm::host::HttpStream;
using proxy_wasm::host::TcpConnection;
using proxy_wasm::run::Chunk;
using proxy_wasm::run::Scenario;
using proxy_wasm::run::Step;
using Kind = Step::Kind;

// Exit codes.
constexpr int kOk = 0;
constexpr int kLoadFailed = 1;
constexpr int kUsage = 2;  // bad arguments or scenario
constexpr int kStartFailed = 3;
constexpr int kTrapped = 4;
constexpr int kInternal = 5;  // out of memory or another internal failure

// What the runner prints of the plugin's logs: each message up to kMaxLogLineBytes (the
// rest is counted, not shown), and kMaxLogBytes of messages in all (later ones are
// counted). The host model's copies are dropped once printed.
constexpr size_t kMaxLogLineBytes = 4096;
constexpr size_t kMaxLogBytes = 16u << 20;

const char* kUsageText =
    "usage: proxy-wasm-run PLUGIN.wasm [--config STRING | --config-file FILE]\n"
    "                      [--vm-config STRING | --vm-config-file FILE] [--root-id ID]\n"
    "                      [--scenario FILE.json] [--fuel N] [--max-memory BYTES] [--stats]\n"
    "Loads the plugin in the WebAssembly engine, starts it (on_context_create, on_vm_start,\n"
    "on_configure) under the mock host and plays the scenario (docs/scenario.md), printing the\n"
    "plugin's logs, each callback's action, headers and bodies, local responses, callouts and\n"
    "finally the metrics. Exit status: 0 ok, 1 the plugin does not load, 2 bad arguments or\n"
    "scenario, 3 the plugin failed to start or configure, 4 the plugin trapped, 5 internal error\n"
    "(the system refused memory).\n"
    "  --fuel N            instructions one call into the plugin may run (default 100000000;\n"
    "                      0: no limit; K, M, G suffixes); past it the call traps\n"
    "  --max-memory BYTES  cap of the plugin's linear memory (default 1G; K, M, G suffixes)\n"
    "  --stats             print the runner's own work counters at the end\n";

// Bytes as printable text: \n, \r, \t, \\, \" and \xNN for the rest.
std::string escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out;
}
std::string quote(std::string_view s) { return "\"" + escape(s) + "\""; }

const char* actionText(Action a) { return proxy_wasm::actionName(a).data(); }  // literals: NUL-terminated
const char* levelName(LogLevel l) {
  static const char* names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  return uint32_t(l) < 7 ? names[uint32_t(l)] : "?";
}

class Runner {
 public:
  Runner(Host& host, uint32_t root) : host_(host), root_(root) {
    proxy_wasm::engine::trackTouchedContexts(host_.guest());
  }

  // Plays every step; returns the exit status.
  int play(const std::vector<Step>& steps) {
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step& step = steps[i];
      std::printf("== step %zu: %s%s\n", i + 1, step.type.c_str(), target(step).c_str());
      const int status = run(step);
      dirty_.clear();
      if (status != kOk) return status;
      if (host_.failed()) return trapped();
    }
    return kOk;
  }

  void printSuppressed() const {
    if (logs_suppressed_) std::printf("== %zu later log messages not shown (output cap)\n", logs_suppressed_);
  }
  void printStats() const { std::printf("== runner stats\n  stream snapshots: %zu\n", snapshots_taken_); }

  // Prints what happened since the last report: logs, refused calls, callouts.
  void report() {
    for (const auto& e : host_.logs()) {
      if (log_bytes_ >= kMaxLogBytes) {
        ++logs_suppressed_;
        continue;
      }
      const std::string_view shown = std::string_view(e.message).substr(0, kMaxLogLineBytes);
      log_bytes_ += shown.size();
      std::printf("  [%s ctx=%u] %s", levelName(e.level), e.context_id, escape(shown).c_str());
      if (shown.size() < e.message.size())
        std::printf(" ... (%zu bytes, the first %zu shown)", e.message.size(), shown.size());
      std::printf("\n");
      if (log_bytes_ >= kMaxLogBytes)
        std::printf("  (%zu bytes of logs printed: later logs are counted, not shown)\n", kMaxLogBytes);
    }
    host_.clearLogs();  // printed: the runner keeps no copy
    pollTouched();
    const auto& violations = host_.violations();
    for (; violations_seen_ < violations.size(); ++violations_seen_)
      std::printf("  refused: %s\n", violations[violations_seen_].c_str());
    const auto& http = host_.httpCalls();
    for (; http_seen_ < http.size(); ++http_seen_) {
      const auto& c = http[http_seen_];
      std::printf("  http call #%zu dispatched: token %u, upstream %s, timeout %u ms\n", http_seen_, c.token,
                  quote(c.upstream).c_str(), c.timeout_ms);
      printHeaders("    headers", c.headers);
      if (!c.body.empty()) std::printf("    body: %s\n", quote(c.body).c_str());
      if (!c.trailers.empty()) printHeaders("    trailers", c.trailers);
    }
    const auto& grpc = host_.grpcCalls();
    for (size_t i = 0; i < grpc.size(); ++i) {
      const auto& c = grpc[i];
      if (i >= grpc_seen_) {
        std::printf("  grpc %s #%zu dispatched: token %u, upstream %s, %s/%s", c.stream ? "stream" : "call", i,
                    c.token, quote(c.upstream).c_str(), c.service.c_str(), c.method.c_str());
        if (!c.stream) std::printf(", timeout %u ms", c.timeout_ms);
        std::printf("\n");
        if (!c.initial_metadata.empty()) printHeaders("    initial metadata", c.initial_metadata);
        if (!c.stream) std::printf("    message: %s\n", quote(c.message).c_str());
        grpc_sent_.push_back(0);
      }
      for (; grpc_sent_[i] < c.sent.size(); ++grpc_sent_[i])
        std::printf("  grpc stream #%zu: the plugin sent %s\n", i, quote(c.sent[grpc_sent_[i]]).c_str());
    }
    grpc_seen_ = grpc.size();
    for (const std::string& name : dirty_) {
      HttpStream* stream = streams_.at(name);
      if (stream->localResponse() && !local_printed_.count(name)) {
        local_printed_.insert(name);
        const auto& r = *stream->localResponse();
        std::printf("  local response on stream %s: %u, details %s\n", quote(name).c_str(), r.status,
                    quote(r.details).c_str());
        if (!r.headers.empty()) printHeaders("    headers", r.headers);
        if (!r.body.empty()) std::printf("    body: %s\n", quote(r.body).c_str());
        if (r.grpc_status) std::printf("    grpc status: %u\n", *r.grpc_status);
      }
      if (stream->reset() && !reset_printed_.count(name)) {
        reset_printed_.insert(name);
        std::printf("  stream %s reset: %s\n", quote(name).c_str(), stream->resetDetails().c_str());
      }
    }
  }

  int trapped() {
    for (const auto& [name, stream] : streams_) dirty_.insert(name);  // once, at the end: every stream failed
    report();
    std::printf("plugin trapped: %s\n", host_.failure().c_str());
    std::fprintf(stderr, "proxy-wasm-run: the plugin trapped: %s\n", host_.failure().c_str());
    return kTrapped;
  }

  void printMetrics() {
    const auto metrics = host_.metrics();
    if (metrics.empty()) {
      std::printf("== metrics: none\n");
      return;
    }
    std::printf("== metrics\n");
    for (const auto& [name, m] : metrics) {
      switch (m.type) {
        case proxy_wasm::MetricType::Counter:
          std::printf("  counter %s = %lld\n", name.c_str(), static_cast<long long>(m.value));
          break;
        case proxy_wasm::MetricType::Gauge:
          std::printf("  gauge %s = %lld\n", name.c_str(), static_cast<long long>(m.value));
          break;
        case proxy_wasm::MetricType::Histogram: {
          std::string samples;
          for (size_t i = 0; i < m.samples.size(); ++i)
            samples += (i ? ", " : "") + std::to_string(m.samples[i]);
          if (m.summary.count > m.samples.size())  // the host keeps the most recent samples
            samples = "... " + samples + " (last " + std::to_string(m.samples.size()) + " of " +
                      std::to_string(m.summary.count) + ")";
          std::printf("  histogram %s = [%s]\n", name.c_str(), samples.c_str());
          break;
        }
      }
    }
  }

 private:
  static std::string target(const Step& s) {
    if (!s.stream.empty()) return " (stream " + quote(s.stream) + ")";
    if (!s.connection.empty()) return " (connection " + quote(s.connection) + ")";
    return "";
  }

  static void printHeaders(const std::string& title, const HeaderList& headers) {
    if (headers.empty()) {
      std::printf("%s: (none)\n", title.c_str());
      return;
    }
    std::printf("%s:\n", title.c_str());
    const size_t indent = title.find_first_not_of(' ') + 2;
    for (const auto& [k, v] : headers.entries())
      std::printf("%*s%s: %s\n", int(indent), "", escape(k).c_str(), escape(v).c_str());
  }

  static void printBody(const char* what, const std::string& forwarded, const std::string& buffered) {
    std::printf("  %s body: forwarded %s", what, quote(forwarded).c_str());
    if (!buffered.empty()) std::printf(", buffered %s", quote(buffered).c_str());
    std::printf("\n");
  }

  HttpStream& stream(const std::string& name) {
    auto it = streams_.find(name);
    if (it == streams_.end()) it = streams_.emplace(name, &host_.newHttpStream(root_)).first;
    dirty_.insert(name);  // the step's own stream
    return *it->second;
  }

  TcpConnection& connection(const std::string& name) {
    auto it = connections_.find(name);
    if (it == connections_.end()) {
      TcpConnection& c = host_.newConnection(root_);
      it = connections_.emplace(name, &c).first;
      report();
      std::printf("  new connection %s: on_new_connection action: %s\n", quote(name).c_str(),
                  actionText(c.newConnectionAction()));
    }
    return *it->second;
  }

  enum class Part { Headers, Body, Trailers };

  // The callback's action and what it concerns, as it is now (after the plugin's changes).
  void after(HttpStream& s, bool request, Part part, Action action) {
    report();
    std::printf("  action: %s\n", actionText(action));
    const char* dir = request ? "request" : "response";
    switch (part) {
      case Part::Headers:
        printHeaders(std::string("  ") + dir + " headers", request ? s.requestHeaders() : s.responseHeaders());
        break;
      case Part::Body:
        printBody(dir, request ? s.forwardedRequestBody() : s.forwardedResponseBody(),
                  request ? s.bufferedRequestBody() : s.bufferedResponseBody());
        break;
      case Part::Trailers:
        printHeaders(std::string("  ") + dir + " trailers", request ? s.requestTrailers() : s.responseTrailers());
        break;
    }
    if (request ? s.requestPaused() : s.responsePaused()) std::printf("  %s paused\n", dir);
  }

  void after(TcpConnection& c, Action action) {
    report();
    std::printf("  action: %s\n", actionText(action));
    std::printf("  toward upstream: forwarded %s", quote(c.forwardedDownstream()).c_str());
    if (!c.bufferedDownstream().empty()) std::printf(", buffered %s", quote(c.bufferedDownstream()).c_str());
    std::printf("\n  toward downstream: forwarded %s", quote(c.forwardedUpstream()).c_str());
    if (!c.bufferedUpstream().empty()) std::printf(", buffered %s", quote(c.bufferedUpstream()).c_str());
    std::printf("\n");
    if (c.closed()) std::printf("  the plugin closed the connection\n");
  }

  // After a step that is not about one stream (callouts, ticks): streams it resumed.
  void streamsChanged() {
    report();
    for (const std::string& name : dirty_) {
      HttpStream* s = streams_.at(name);
      const std::string now = snapshot(*s);
      std::string& before = snapshots_[name];
      if (now == before) continue;
      before = now;
      std::printf("  stream %s: request %s, response %s\n", quote(name).c_str(),
                  s->requestPaused() ? "paused" : "flowing", s->responsePaused() ? "paused" : "flowing");
      printHeaders("    request headers", s->requestHeaders());
      if (!s->forwardedRequestBody().empty()) std::printf("    request body forwarded: %s\n", quote(s->forwardedRequestBody()).c_str());
      if (s->responseHeadersForwarded() || !s->responseHeaders().empty())
        printHeaders("    response headers", s->responseHeaders());
      if (!s->forwardedResponseBody().empty())
        std::printf("    response body forwarded: %s\n", quote(s->forwardedResponseBody()).c_str());
    }
  }

  std::string snapshot(const HttpStream& s) {
    ++snapshots_taken_;
    return s.requestHeaders().serialize() + "|" + s.responseHeaders().serialize() + "|" +
           std::to_string(s.forwardedRequestBody().size()) + "|" + std::to_string(s.forwardedResponseBody().size()) +
           "|" + std::to_string(s.requestPaused()) + std::to_string(s.responsePaused()) +
           std::to_string(s.requestHeadersForwarded()) + std::to_string(s.responseHeadersForwarded());
  }
  void remember(const std::string& name) {
    HttpStream& s = *streams_.at(name);
    if (s.id() != 0) names_by_id_.emplace(s.id(), name);
    snapshots_[name] = snapshot(s);
  }

  // The streams the plugin was called on or switched to since the last poll: only they
  // can have changed (the engine records them), so a step costs what it touched, not the
  // number of streams.
  void pollTouched() {
    for (uint32_t id : proxy_wasm::engine::takeTouchedContexts(host_.guest())) {
      auto it = names_by_id_.find(id);
      if (it != names_by_id_.end()) dirty_.insert(it->second);
    }
  }

  // Which call a callout step answers: "call" (index), "token", or the oldest pending.
  bool httpToken(const Step& step, uint32_t* token) {
    if (step.token) {
      *token = *step.token;
    } else if (step.call) {
      if (*step.call >= host_.httpCalls().size()) return bad("no HTTP call #" + std::to_string(*step.call));
      *token = host_.httpCalls()[*step.call].token;
    } else {
      const auto pending = host_.pendingHttpCalls();
      if (pending.empty()) return bad("no pending HTTP call to answer");
      *token = pending.front();
    }
    return true;
  }
  bool grpcToken(const Step& step, uint32_t* token) {
    if (step.token) {
      *token = *step.token;
      return true;
    }
    const auto& calls = host_.grpcCalls();
    if (step.call) {
      if (*step.call >= calls.size()) return bad("no gRPC call #" + std::to_string(*step.call));
      *token = calls[*step.call].token;
      return true;
    }
    for (const auto& c : calls) {
      if (const auto* live = host_.grpcCall(c.token); live && !live->cancelled) {
        *token = c.token;
        return true;
      }
    }
    return bad("no open gRPC call to answer");
  }
  int usage(const std::string& message) {
    bad(message);
    return kUsage;
  }
  bool bad(const std::string& message) {
    std::printf("scenario error: %s\n", message.c_str());
    std::fprintf(stderr, "proxy-wasm-run: scenario error: %s\n", message.c_str());
    return false;
  }

  int exchange(const Step& step) {
    const std::string name = step.stream.empty() ? "http-" + std::to_string(++anonymous_) : step.stream;
    HttpStream& s = stream(name);
    auto part = [&](const char* what, bool end_of_stream = false) {
      std::printf("-- %s%s\n", what, end_of_stream ? " (end of stream)" : "");
    };
    auto stopped = [&] { return s.localResponse().has_value() || s.reset() || host_.failed(); };
    const std::pair<const proxy_wasm::run::Message*, bool> directions[] = {{&step.request, true},
                                                                           {&step.response, false}};
    for (const auto& [m, request] : directions) {
      if (!m->present || stopped()) continue;
      const bool headers_end = m->body.empty() && !m->trailers;
      part(request ? "request headers" : "response headers", headers_end);
      after(s, request, Part::Headers,
            request ? s.sendRequestHeaders(m->headers, headers_end) : s.sendResponseHeaders(m->headers, headers_end));
      for (const Chunk& c : m->body) {
        if (stopped()) break;
        part(request ? "request body" : "response body", c.end_of_stream);
        after(s, request, Part::Body,
              request ? s.sendRequestBody(c.data, c.end_of_stream) : s.sendResponseBody(c.data, c.end_of_stream));
      }
      if (m->trailers && !stopped()) {
        part(request ? "request trailers" : "response trailers", true);
        after(s, request, Part::Trailers,
              request ? s.sendRequestTrailers(*m->trailers) : s.sendResponseTrailers(*m->trailers));
      }
    }
    if (host_.failed()) return trapped();
    if (s.localResponse() || s.reset()) std::printf("  (the stream stopped: the rest of the exchange is skipped)\n");
    if (step.finish) {
      part("finish");
      s.finish();
    }
    report();
    remember(name);
    return kOk;
  }

  int run(const Step& step) {
    switch (step.kind) {
      case Kind::Http:
        return exchange(step);
      case Kind::RequestHeaders:
      case Kind::RequestBody:
      case Kind::RequestTrailers:
      case Kind::ResponseHeaders:
      case Kind::ResponseBody:
      case Kind::ResponseTrailers: {
        HttpStream& s = stream(step.stream);
        Action a = Action::Continue;
        const bool request = step.kind <= Kind::RequestTrailers;
        if (step.kind == Kind::RequestHeaders) a = s.sendRequestHeaders(step.headers, step.end_of_stream);
        if (step.kind == Kind::RequestBody) a = s.sendRequestBody(step.data, step.end_of_stream);
        if (step.kind == Kind::RequestTrailers) a = s.sendRequestTrailers(step.headers);
        if (step.kind == Kind::ResponseHeaders) a = s.sendResponseHeaders(step.headers, step.end_of_stream);
        if (step.kind == Kind::ResponseBody) a = s.sendResponseBody(step.data, step.end_of_stream);
        if (step.kind == Kind::ResponseTrailers) a = s.sendResponseTrailers(step.headers);
        const Part part = step.kind == Kind::RequestHeaders || step.kind == Kind::ResponseHeaders ? Part::Headers
                          : step.kind == Kind::RequestBody || step.kind == Kind::ResponseBody     ? Part::Body
                                                                                                  : Part::Trailers;
        after(s, request, part, a);
        remember(step.stream);
        return kOk;
      }
      case Kind::Finish:
        if (!step.stream.empty()) {
          if (!streams_.count(step.stream)) return usage("no stream " + quote(step.stream));
          stream(step.stream).finish();
        } else {
          if (!connections_.count(step.connection))
            return usage("no connection " + quote(step.connection));
          connections_.at(step.connection)->finish();
        }
        report();
        return kOk;
      case Kind::TcpConnect:
        if (connections_.count(step.connection)) return usage("connection " + quote(step.connection) + " exists");
        connection(step.connection);
        report();
        return kOk;
      case Kind::DownstreamData:
      case Kind::UpstreamData: {
        TcpConnection& c = connection(step.connection);
        after(c, step.kind == Kind::DownstreamData ? c.sendDownstreamData(step.data, step.end_of_stream)
                                                   : c.sendUpstreamData(step.data, step.end_of_stream));
        return kOk;
      }
      case Kind::DownstreamClose:
      case Kind::UpstreamClose: {
        TcpConnection& c = connection(step.connection);
        if (step.kind == Kind::DownstreamClose) {
          c.closeDownstream(step.peer);
        } else {
          c.closeUpstream(step.peer);
        }
        report();
        return kOk;
      }
      case Kind::Tick:
        host_.tick(root_);
        streamsChanged();
        return kOk;
      case Kind::AdvanceTime:
        host_.advanceTime(step.number);
        std::printf("  clock: %llu ns\n", static_cast<unsigned long long>(host_.now()));
        streamsChanged();
        return kOk;
      case Kind::HttpCallResponse:
      case Kind::HttpCallFailure: {
        uint32_t token = 0;
        if (!httpToken(step, &token)) return kUsage;
        std::printf("  answering token %u\n", token);
        const bool ok = step.kind == Kind::HttpCallResponse
                            ? host_.respondHttpCall(token, step.headers, step.data)
                            : host_.failHttpCall(token);
        if (!ok) return usage("token " + std::to_string(token) + " is not a pending HTTP call");
        streamsChanged();
        return kOk;
      }
      case Kind::GrpcResponse:
      case Kind::GrpcInitialMetadata:
      case Kind::GrpcMessage:
      case Kind::GrpcTrailingMetadata:
      case Kind::GrpcClose: {
        uint32_t token = 0;
        if (!grpcToken(step, &token)) return kUsage;
        std::printf("  answering token %u\n", token);
        bool ok = false;
        if (step.kind == Kind::GrpcResponse) ok = host_.respondGrpcCall(token, step.data);
        if (step.kind == Kind::GrpcInitialMetadata) ok = host_.grpcInitialMetadata(token, step.headers);
        if (step.kind == Kind::GrpcMessage) ok = host_.grpcMessage(token, step.data);
        if (step.kind == Kind::GrpcTrailingMetadata) ok = host_.grpcTrailingMetadata(token, step.headers);
        if (step.kind == Kind::GrpcClose)
          ok = host_.grpcClose(token, proxy_wasm::GrpcStatus(uint32_t(step.number)), step.data);
        if (!ok) return usage("token " + std::to_string(token) + " is not an open gRPC call");
        streamsChanged();
        return kOk;
      }
      case Kind::Configure: {
        const bool ok = host_.configure(root_, step.data);
        report();
        if (host_.failed()) return trapped();
        std::printf("  configuration %s\n", ok ? "accepted" : "rejected");
        return kOk;
      }
      case Kind::Enqueue: {
        const auto id = host_.queueId(step.queue);
        if (!id) return usage("no queue named " + quote(step.queue));
        host_.enqueue(*id, step.data);
        streamsChanged();
        return kOk;
      }
    }
    return kOk;
  }

  Host& host_;
  uint32_t root_;
  size_t log_bytes_ = 0, logs_suppressed_ = 0, snapshots_taken_ = 0;
  std::unordered_map<uint32_t, std::string> names_by_id_;
  std::set<std::string> dirty_;  // streams the current step may have changed
  size_t violations_seen_ = 0, http_seen_ = 0, grpc_seen_ = 0;
  std::vector<size_t> grpc_sent_;
  std::map<std::string, HttpStream*> streams_;
  std::map<std::string, TcpConnection*> connections_;
  std::map<std::string, std::string> snapshots_;
  std::set<std::string> local_printed_, reset_printed_;
  int anonymous_ = 0;
};

}  // namespace

int run(int argc, char** argv) {
  std::string wasm, scenario_file;
  std::optional<std::string> config, vm_config, root_id;
  proxy_wasm::engine::EngineOptions engine_options;
  bool stats = false;
  auto value = [&](int& i, const std::string& flag, std::string* out) {
    if (i + 1 >= argc) {
      std::fprintf(stderr, "proxy-wasm-run: %s needs a value\n%s", flag.c_str(), kUsageText);
      return false;
    }
    *out = argv[++i];
    return true;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string v, error;
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsageText);
      return kOk;
    } else if (arg == "--config" || arg == "--vm-config" || arg == "--root-id" || arg == "--scenario") {
      if (!value(i, arg, &v)) return kUsage;
      if (arg == "--config") config = v;
      if (arg == "--vm-config") vm_config = v;
      if (arg == "--root-id") root_id = v;
      if (arg == "--scenario") scenario_file = v;
    } else if (arg == "--fuel" || arg == "--max-memory") {
      if (!value(i, arg, &v)) return kUsage;
      const bool bytes = arg == "--max-memory";
      auto n = proxy_wasm::engine::parseCount(v, bytes);
      if (!n || (bytes && *n < 64 * 1024)) {
        std::fprintf(stderr, "proxy-wasm-run: %s %s: want %s\n", arg.c_str(), v.c_str(),
                     bytes ? "a byte count of at least 64K (one page), e.g. 256M" : "a count, e.g. 5000000 or 5M");
        return kUsage;
      }
      (bytes ? engine_options.max_memory_bytes : engine_options.instruction_budget) = *n;
    } else if (arg == "--stats") {
      stats = true;
    } else if (arg == "--config-file" || arg == "--vm-config-file") {
      if (!value(i, arg, &v)) return kUsage;
      std::string text;
      if (!proxy_wasm::run::readText(v, &text, &error)) {
        std::fprintf(stderr, "proxy-wasm-run: %s\n", error.c_str());
        return kUsage;
      }
      (arg == "--config-file" ? config : vm_config) = text;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "proxy-wasm-run: unknown option %s\n%s", arg.c_str(), kUsageText);
      return kUsage;
    } else if (wasm.empty()) {
      wasm = arg;
    } else {
      std::fprintf(stderr, "proxy-wasm-run: one plugin at a time (got %s and %s)\n", wasm.c_str(), arg.c_str());
      return kUsage;
    }
  }
  if (wasm.empty()) {
    std::fprintf(stderr, "%s", kUsageText);
    return kUsage;
  }

  Scenario scenario;
  if (!scenario_file.empty()) {
    std::string text, error;
    if (!proxy_wasm::run::readText(scenario_file, &text, &error) ||
        !proxy_wasm::run::parseScenario(text, &scenario, &error)) {
      if (error.rfind("cannot ", 0) == 0) {
        std::fprintf(stderr, "proxy-wasm-run: %s\n", error.c_str());
      } else {
        std::fprintf(stderr, "proxy-wasm-run: %s: %s\n", scenario_file.c_str(), error.c_str());
      }
      return kUsage;
    }
  }
  // The command line wins over the scenario.
  if (vm_config) scenario.vm_configuration = vm_config;
  if (config) scenario.configuration = config;
  if (root_id) scenario.root_id = root_id;
  scenario.host.vm_configuration = scenario.vm_configuration.value_or("");

  std::string error;
  auto guest = proxy_wasm::engine::loadWasmGuest(std::filesystem::path(wasm), &error, engine_options);
  if (!guest) {
    std::printf("== load %s: failed\n%s\n", wasm.c_str(), error.c_str());
    if (error.rfind("cannot ", 0) == 0) {  // already names the file
      std::fprintf(stderr, "proxy-wasm-run: %s\n", error.c_str());
    } else {
      std::fprintf(stderr, "proxy-wasm-run: cannot load %s: %s\n", wasm.c_str(), error.c_str());
    }
    return kLoadFailed;
  }
  std::printf("== load %s\n", wasm.c_str());
  Host host(std::move(guest), scenario.host);
  proxy_wasm::host::PluginOptions plugin;
  plugin.root_id = scenario.root_id.value_or("");
  plugin.configuration = scenario.configuration.value_or("");
  plugin.name = scenario.name.value_or("");
  std::printf("== start plugin (root_id %s, configuration %zu bytes, vm configuration %zu bytes)\n",
              quote(plugin.root_id).c_str(), plugin.configuration.size(), scenario.host.vm_configuration.size());
  const uint32_t root = host.startPlugin(plugin);
  Runner runner(host, root);
  runner.report();
  if (root == 0) {
    const bool trapped = host.failed();
    std::printf("plugin failed to start: %s\n", host.failure().c_str());
    std::fprintf(stderr, "proxy-wasm-run: the plugin failed to start: %s\n", host.failure().c_str());
    return trapped ? kTrapped : kStartFailed;
  }
  std::printf("  root context %u started\n", root);

  if (int status = runner.play(scenario.steps); status != kOk) return status;
  std::printf("== shutdown\n");
  host.shutdown();
  if (host.failed()) return runner.trapped();
  runner.report();
  runner.printMetrics();
  runner.printSuppressed();
  if (stats) runner.printStats();
  return kOk;
}

// Last resort: no exception (an allocation the system refuses) ends the tool without a
// message and a status.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "proxy-wasm-run: internal error: %s\n", e.what());
    return kInternal;
  }
}
