// The response decoder on hand-written bodies: every result type, special values, escapes,
// warnings and error envelopes; and bad input of every kind (truncated at every byte, garbage,
// deep nesting, wrong types) giving a located DecodeError, never a crash or an exception.
#define BOOST_TEST_MODULE prometheus_decode
#include <boost/test/unit_test.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "runtime/prometheus/client.hpp"
#include "runtime/prometheus/decode.hpp"
#include "tests/runtime/prometheus/printers.hpp"

namespace pm = skippy::prometheus;

namespace {

const pm::QueryResult& ok(const pm::DecodeResult& r) {
  if (const auto* e = std::get_if<pm::DecodeError>(&r))
    BOOST_FAIL("decode error: " << pm::to_string(*e));
  if (const auto* a = std::get_if<pm::ApiError>(&r))
    BOOST_FAIL("api error: " << a->error_type << ": " << a->message);
  return std::get<pm::QueryResult>(r);
}

pm::DecodeError bad(const pm::DecodeResult& r) {
  if (std::holds_alternative<pm::QueryResult>(r)) BOOST_FAIL("decoded, expected a DecodeError");
  if (std::holds_alternative<pm::ApiError>(r)) BOOST_FAIL("api error, expected a DecodeError");
  return std::get<pm::DecodeError>(r);
}

// The error's message contains `part` and its offset is `offset`.
void expect_error(std::string_view body, std::string_view part, std::size_t offset) {
  auto r = pm::decode_response(body);
  auto e = bad(r);
  BOOST_TEST_CONTEXT(body << " -> " << pm::to_string(e)) {
    BOOST_TEST(e.message.find(part) != std::string::npos);
    BOOST_TEST(e.offset == offset);
  }
}

// Decodes `body` and expects some DecodeError (located within the body).
void expect_some_error(std::string_view body) {
  auto r = pm::decode_response(body);
  BOOST_TEST_CONTEXT(body.substr(0, 200)) {
    BOOST_REQUIRE(std::holds_alternative<pm::DecodeError>(r));
    BOOST_TEST(std::get<pm::DecodeError>(r).offset <= body.size());
    BOOST_TEST(!std::get<pm::DecodeError>(r).message.empty());
  }
}

std::string vector_of(std::string_view value) {
  return R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,")" +
         std::string(value) + R"("]}]}})";
}

double value_of(std::string_view value) {
  auto r = pm::decode_response(vector_of(value));
  return ok(r)[0].samples[0].value;
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

const char* const kVector =
    R"({"status":"success","data":{"resultType":"vector","result":[)"
    R"({"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},"value":[1435781451.781,"1"]},)"
    R"({"metric":{"__name__":"up","instance":"localhost:9100","job":"node"},"value":[1435781451.781,"0"]}]}})";

const char* const kMatrix =
    R"({"status":"success","data":{"resultType":"matrix","result":[)"
    R"({"metric":{"__name__":"up","instance":"localhost:9090","job":"prometheus"},)"
    R"("values":[[1435781430.781,"1"],[1435781445.781,"1"],[1435781460.781,"1"]]},)"
    R"({"metric":{"__name__":"up","instance":"localhost:9091","job":"node"},)"
    R"("values":[[1435781430.781,"0"],[1435781445.781,"0"],[1435781460.781,"1"]]}]}})";

const char* const kScalar =
    R"({"status":"success","data":{"resultType":"scalar","result":[1435781451.781,"42.5"]}})";
const char* const kString =
    R"({"status":"success","data":{"resultType":"string","result":[1435781451.781,"hello \"world\""]}})";
const char* const kErrorEnvelope =
    R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \")\"","warnings":["w1"]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(result_types)

BOOST_AUTO_TEST_CASE(vector) {
  auto r = pm::decode_response(kVector);
  const auto& q = ok(r);
  BOOST_TEST(q.type() == pm::ResultType::Vector);
  BOOST_REQUIRE(q.size() == 2u);
  BOOST_TEST(q.sample_count() == 2u);
  auto s0 = q[0];
  BOOST_TEST(s0.labels.size() == 3u);
  BOOST_TEST(s0.labels.to_string() ==
             R"({__name__="up", instance="localhost:9090", job="prometheus"})");
  BOOST_TEST(*s0.labels.get("job") == "prometheus");
  BOOST_TEST(!s0.labels.get("pod").has_value());
  BOOST_REQUIRE(s0.samples.size() == 1u);
  BOOST_TEST(s0.samples[0].time_ms == 1435781451781);
  BOOST_TEST(s0.samples[0].value == 1.0);
  BOOST_TEST(q[1].samples[0].value == 0.0);
  BOOST_TEST(q.warnings().empty());
  std::size_t n = 0;
  for (auto series : q) n += series.labels.size();
  BOOST_TEST(n == 6u);
}

BOOST_AUTO_TEST_CASE(matrix) {
  auto r = pm::decode_response(kMatrix);
  const auto& q = ok(r);
  BOOST_TEST(q.type() == pm::ResultType::Matrix);
  BOOST_REQUIRE(q.size() == 2u);
  BOOST_TEST(q.sample_count() == 6u);
  auto s1 = q[1];
  BOOST_REQUIRE(s1.samples.size() == 3u);
  BOOST_TEST(s1.samples[0].time_ms == 1435781430781);
  BOOST_TEST(s1.samples[2].time_ms == 1435781460781);
  BOOST_TEST(s1.samples[1].value == 0.0);
  BOOST_TEST(s1.samples[2].value == 1.0);
  BOOST_TEST(*s1.labels.get("instance") == "localhost:9091");
}

BOOST_AUTO_TEST_CASE(scalar_and_string) {
  auto r = pm::decode_response(kScalar);
  const auto& q = ok(r);
  BOOST_TEST(q.type() == pm::ResultType::Scalar);
  BOOST_TEST(q.size() == 0u);
  BOOST_TEST(q.scalar().time_ms == 1435781451781);
  BOOST_TEST(q.scalar().value == 42.5);

  auto s = pm::decode_response(kString);
  const auto& qs = ok(s);
  BOOST_TEST(qs.type() == pm::ResultType::String);
  BOOST_TEST(qs.string_value() == "hello \"world\"");
  BOOST_TEST(qs.scalar().time_ms == 1435781451781);
}

BOOST_AUTO_TEST_CASE(empty_results) {
  auto r =
      pm::decode_response(R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  BOOST_TEST(ok(r).size() == 0u);
  auto m =
      pm::decode_response(R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
  BOOST_TEST(ok(m).type() == pm::ResultType::Matrix);
  auto e = pm::decode_response(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}})");
  BOOST_TEST(ok(e)[0].labels.empty());
  auto no_metric = pm::decode_response(
      R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,"2"]}]}})");
  BOOST_TEST(ok(no_metric)[0].labels.empty());
  auto empty_values = pm::decode_response(
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[]}]}})");
  BOOST_TEST(ok(empty_values)[0].samples.empty());
}

BOOST_AUTO_TEST_CASE(warnings_and_unknown_fields) {
  auto r = pm::decode_response(
      R"({"status":"success","isPartial":true,"data":{"stats":{"timings":{"evalTotalTime":0.1}},"resultType":"vector","result":[],"extra":[1,[2,{"x":3}]]},)"
      R"("warnings":["PromQL info: metric might not be a counter","second \u00e9"],"infos":["x"]})");
  const auto& q = ok(r);
  BOOST_REQUIRE(q.warnings().size() == 2u);
  BOOST_TEST(q.warnings()[0] == "PromQL info: metric might not be a counter");
  BOOST_TEST(q.warnings()[1] == "second \xc3\xa9");
}

BOOST_AUTO_TEST_CASE(any_field_order) {
  // Other servers may put result before resultType, data before status, value before metric.
  auto r = pm::decode_response(
      R"({"data":{"result":[{"value":[10,"3"],"metric":{"job":"x","a":"y"}}],"resultType":"vector"},"status":"success"})");
  const auto& q = ok(r);
  BOOST_TEST(q.type() == pm::ResultType::Vector);
  BOOST_TEST(q[0].labels.to_string() == R"({a="y", job="x"})");  // sorted by name
  BOOST_TEST(q[0].samples[0].time_ms == 10000);
  auto s = pm::decode_response(
      R"({"data":{"result":[5,"7"],"resultType":"scalar"},"status":"success"})");
  BOOST_TEST(ok(s).scalar().value == 7.0);
}

BOOST_AUTO_TEST_CASE(whitespace_everywhere) {
  auto r = pm::decode_response(
      " \n{ \"status\" : \"success\" ,\r\n \"data\" : { \"resultType\" : \"matrix\" , \"result\" : "
      "[ { \"metric\" : "
      "{ \"a\" : \"b\" } , \"values\" : [ [ 1.5 , \"2\" ] , [ 3 , \"4\" ] ] } ] } }\n\t ");
  const auto& q = ok(r);
  BOOST_REQUIRE(q[0].samples.size() == 2u);
  BOOST_TEST(q[0].samples[0].time_ms == 1500);
  BOOST_TEST(q[0].samples[1].value == 4.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(values_and_times)

BOOST_AUTO_TEST_CASE(special_values) {
  BOOST_TEST(std::isnan(value_of("NaN")));
  BOOST_TEST(value_of("+Inf") == std::numeric_limits<double>::infinity());
  BOOST_TEST(value_of("-Inf") == -std::numeric_limits<double>::infinity());
  BOOST_TEST(same_bits(value_of("-0"), -0.0));
  BOOST_TEST(value_of("1e+06") == 1e6);
  BOOST_TEST(value_of("1.7976931348623157e+308") == std::numeric_limits<double>::max());
  BOOST_TEST(value_of("5e-324") == std::numeric_limits<double>::denorm_min());
  BOOST_TEST(value_of("1e999") == std::numeric_limits<double>::infinity());  // as Go's ParseFloat
  BOOST_TEST(value_of("123456789012345678901234567890") == 1.2345678901234568e29);
}

BOOST_AUTO_TEST_CASE(values_are_exact) {
  // Every value decodes to the same bits as std::from_chars gives, shortest and 17-digit forms.
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> exponent(-30, 30);
  std::string body = R"({"status":"success","data":{"resultType":"vector","result":[)";
  std::vector<double> expected;
  for (int i = 0; i < 4000; ++i) {
    double v = std::ldexp(static_cast<double>(rng() >> 11), exponent(rng) - 30);
    if (i % 3 == 0) v = static_cast<double>(rng() % 1000000) / 1000.0;
    if (i % 5 == 0) v = -v;
    char buf[64];
    char* end = i % 2 ? std::to_chars(buf, buf + 64, v).ptr
                      : std::to_chars(buf, buf + 64, v, std::chars_format::general, 17).ptr;
    double reference = 0;
    std::from_chars(buf, end, reference);
    expected.push_back(reference);
    if (i) body += ',';
    body += R"({"metric":{"i":")" + std::to_string(i) + R"("},"value":[1,")" +
            std::string(buf, end) + "\"]}";
  }
  body += "]}}";
  auto r = pm::decode_response(body);
  const auto& q = ok(r);
  BOOST_REQUIRE(q.size() == expected.size());
  int mismatches = 0;
  for (std::size_t i = 0; i < q.size(); ++i)
    mismatches += !same_bits(q[i].samples[0].value, expected[i]);
  BOOST_TEST(mismatches == 0);
}

BOOST_AUTO_TEST_CASE(time_forms) {
  auto time_of = [](std::string_view t) {
    auto r = pm::decode_response(R"({"status":"success","data":{"resultType":"scalar","result":[)" +
                                 std::string(t) + R"(,"1"]}})");
    return ok(r).scalar().time_ms;
  };
  BOOST_TEST(time_of("1700000000") == 1700000000000);
  BOOST_TEST(time_of("1700000000.5") == 1700000000500);
  BOOST_TEST(time_of("1700000000.05") == 1700000000050);
  BOOST_TEST(time_of("1700000000.123") == 1700000000123);
  BOOST_TEST(time_of("1.7e9") == 1700000000000);
  BOOST_TEST(time_of("-1.5") == -1500);
  BOOST_TEST(time_of("0") == 0);
  BOOST_TEST(time_of("1.23456") == 1235);  // beyond milliseconds: rounded
  BOOST_TEST(time_of("12345678901234.567") == 12345678901234567);
}

BOOST_AUTO_TEST_CASE(format_seconds) {
  BOOST_TEST(pm::format_seconds(1700000000123) == "1700000000.123");
  BOOST_TEST(pm::format_seconds(5) == "0.005");
  BOOST_TEST(pm::format_seconds(-1500) == "-1.500");
  BOOST_TEST(pm::format_seconds(0) == "0.000");
}

BOOST_AUTO_TEST_CASE(bad_values_are_located) {
  // The body is vector_of(v): the value's string starts at byte 86.
  const std::size_t at = vector_of("").find("\"]}]}}");
  for (std::string_view v :
       {"", " 1", "1 ", "0x10", "1,5", "abc", "++Inf", "1e", "--1", "Infinity!"}) {
    auto e = bad(pm::decode_response(vector_of(v)));
    BOOST_TEST_CONTEXT("value " << v << ": " << pm::to_string(e)) {
      BOOST_TEST(e.message.find("invalid sample value") != std::string::npos);
      BOOST_TEST(e.offset == at);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_times_are_located) {
  for (std::string_view t : {"01", "1.", ".5", "-", "1e", "\"1\"", "null", "true", "[1]"}) {
    std::string body =
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[)" +
        std::string(t) + R"(,"1"]}]}})";
    auto e = bad(pm::decode_response(body));
    BOOST_TEST_CONTEXT("time " << t << ": " << pm::to_string(e)) {
      BOOST_TEST(e.offset == body.find("\"value\":[") + 9);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(labels_and_strings)

BOOST_AUTO_TEST_CASE(escapes_are_unescaped) {
  auto r = pm::decode_response(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"q":"a\"b\\c\/d\n","u":"caf\u00e9 \ud83d\ude00 \u003c","n\u0061me":"x"},"value":[1,"2"]}]}})");
  const auto& q = ok(r);
  BOOST_TEST(*q[0].labels.get("q") == "a\"b\\c/d\n");
  BOOST_TEST(*q[0].labels.get("u") == "caf\xc3\xa9 \xf0\x9f\x98\x80 <");
  BOOST_TEST(*q[0].labels.get("name") == "x");
  BOOST_TEST(q[0].labels[0].name == "name");  // sorted after unescaping
}

BOOST_AUTO_TEST_CASE(utf8_labels_pass_through) {
  auto r = pm::decode_response(
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{"
      "\"pod\":\"\xe6\x97\xa5\xe6\x9c\xac\"},\"value\":[1,\"2\"]}]}}");
  BOOST_TEST(*ok(r)[0].labels.get("pod") == "\xe6\x97\xa5\xe6\x9c\xac");
}

BOOST_AUTO_TEST_CASE(unsorted_labels_are_sorted_and_duplicates_rejected) {
  auto r = pm::decode_response(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"z":"1","b":"2","m":"3"},"value":[1,"2"]}]}})");
  BOOST_TEST(ok(r)[0].labels.to_string() == R"({b="2", m="3", z="1"})");
  std::string dup =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"z":"1","b":"2","z":"3"},"value":[1,"2"]}]}})";
  expect_error(dup, "duplicate label name \"z\"", dup.find("\"z\":\"3\"") + 1);
}

BOOST_AUTO_TEST_CASE(bad_escapes_are_located) {
  std::string body =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"xy\qz"},"value":[1,"2"]}]}})";
  expect_error(body, "invalid escape", body.find("\\q"));
  body =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"x\ud800y"},"value":[1,"2"]}]}})";
  expect_error(body, "unpaired high surrogate", body.find("\\ud800"));
  body =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"x\udc00"},"value":[1,"2"]}]}})";
  expect_error(body, "unpaired low surrogate", body.find("\\udc00"));
  body =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"x\u12G4"},"value":[1,"2"]}]}})";
  expect_error(body, "invalid \\u escape", body.find("\\u12G4"));
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_control_characters) {
  std::string body =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":"
      "\"x\xff\"},\"value\":[1,\"2\"]}]}}";
  expect_error(body, "invalid UTF-8", body.find('\xff'));
  body =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":"
      "\"x\x01\"},\"value\":[1,\"2\"]}]}}";
  expect_error(body, "control character", body.find('\x01'));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(envelopes)

BOOST_AUTO_TEST_CASE(error_envelope) {
  auto r = pm::decode_response(kErrorEnvelope);
  BOOST_REQUIRE(std::holds_alternative<pm::ApiError>(r));
  const auto& e = std::get<pm::ApiError>(r);
  BOOST_TEST(e.error_type == "bad_data");
  BOOST_TEST(e.message == "1:5: parse error: unexpected \")\"");
  BOOST_REQUIRE(e.warnings.size() == 1u);
  BOOST_TEST(e.warnings[0] == "w1");
  auto minimal = pm::decode_response(R"({"status":"error"})");
  BOOST_TEST(std::holds_alternative<pm::ApiError>(minimal));
}

BOOST_AUTO_TEST_CASE(envelope_mistakes) {
  expect_error(R"({"data":{"resultType":"vector","result":[]}})", "no \"status\"", 0);
  std::string s = R"({"status":"maybe","data":{"resultType":"vector","result":[]}})";
  expect_error(s, "\"status\" is \"maybe\"", s.find("\"maybe\""));
  expect_error(R"({"status":"success"})", "no \"data\"", 0);
  s = R"({"status":"success","data":{"result":[]}})";
  expect_error(s, "no \"resultType\"", s.find("{\"result\""));
  s = R"({"status":"success","data":{"resultType":"vector"}})";
  expect_error(s, "no \"result\"", s.find("{\"resultType\""));
  s = R"({"status":"success","data":{"resultType":"histogram","result":[]}})";
  expect_error(s, "unknown resultType \"histogram\"", s.find("\"histogram\""));
  s = R"({"status":"success","status":"success","data":{"resultType":"vector","result":[]}})";
  expect_error(s, "duplicate \"status\"", s.rfind("status\""));
  s = R"({"status":"success","data":[]})";
  expect_error(s, "expected \"data\" to be an object", s.find("[]"));
  s = R"({"status":"success","data":{"resultType":"vector","result":{}}})";
  expect_error(s, "data.result to be an array", s.find("{}"));
  s = R"({"status":1,"data":{"resultType":"vector","result":[]}})";
  expect_error(s, "expected \"status\" (a string), found '1,", s.find("1,"));
  s = R"({"status":"success","data":{"resultType":"vector","result":[]},"warnings":"w"})";
  expect_error(s, "\"warnings\" to be an array", s.find("\"w\""));
}

BOOST_AUTO_TEST_CASE(result_shape_mistakes) {
  std::string s =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"values":[[1,"2"]]}]}})";
  expect_error(s, "vector result has range", s.find("[{"));
  s = R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"value":[1,"2"]}]}})";
  expect_error(s, "matrix result has instant", s.find("[{"));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]},{"metric":{},"values":[]}]}})";
  expect_error(s, "mixes instant", s.find("{\"metric\":{},\"values\""));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})";
  expect_error(s, "neither \"value\" nor \"values\"", s.find("{\"metric\""));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"],"value":[1,"2"]}]}})";
  expect_error(s, "more than one", s.rfind("value\""));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}})";
  expect_error(s, "expected a label value (a string), found '1}", s.find("1}"));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":[],"value":[1,"2"]}]}})";
  expect_error(s, "labels (an object)", s.find("[]"));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}})";
  expect_error(s, "a sample value (a string)", s.find("2]"));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2","3"]}]}})";
  expect_error(s, "']' after a sample's time and value", s.find(",\"3\""));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}})";
  expect_error(s, "',' after a sample's time", s.find("]}]"));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":{}}]}})";
  expect_error(s, "a sample [time", s.find("{}}"));
  s = R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"] [3,"4"]]}]}})";
  expect_error(s, "',' or ']' after a sample", s.find("[3"));
  s = R"({"status":"success","data":{"resultType":"vector","result":[5,"6"]}})";
  expect_error(s, "vector result must be an array of series", s.find("[5"));
  s = R"({"status":"success","data":{"resultType":"scalar","result":[{"metric":{},"value":[1,"2"]}]}})";
  expect_error(s, "scalar result must be [time", s.find("[{"));
  s = R"({"status":"success","data":{"resultType":"scalar","result":[1]}})";
  expect_error(s, "two elements", s.find("[1]"));
  s = R"({"status":"success","data":{"resultType":"scalar","result":[1,"x"]}})";
  expect_error(s, "invalid sample value \"x\"", s.find("x\""));
  s = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1"}]}]}})";
  expect_error(s, "native histogram samples are not supported", s.find("histogram\""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_input)

BOOST_AUTO_TEST_CASE(empty_and_garbage) {
  expect_error("", "empty body", 0);
  expect_error("   \n ", "empty body", 0);
  expect_error("<html><body>502 Bad Gateway</body></html>", "expected a JSON object, found '<html>",
               0);
  expect_error("  null", "expected a JSON object, found 'null'", 2);
  expect_error("[]", "expected a JSON object", 0);
  expect_error("42", "expected a JSON object", 0);
  expect_error("\"status\"", "expected a JSON object", 0);
  expect_error("{}", "no \"status\"", 0);
  std::string trailing = std::string(kVector) + " x";
  expect_error(trailing, "unexpected content after the JSON object: 'x'", trailing.size() - 1);
  expect_some_error(std::string(kVector) + "{}");
  expect_some_error("{\"status\":\"success\",}");
  expect_some_error("{\"status\" \"success\"}");
  expect_some_error("{\"status\":\"success\"]");
  expect_some_error("}{");
  expect_some_error(std::string("{\"status\":\0\"success\"}", 22));
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "{}[]\":,0123456789.-+eE \\unrtfalse\x80\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 64, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    auto r = pm::decode_response(s);
    if (auto* e = std::get_if<pm::DecodeError>(&r)) BOOST_TEST(e->offset <= s.size());
  }
  // Mutations of a valid body.
  std::string base = kMatrix;
  for (int i = 0; i < 20000; ++i) {
    std::string s = base;
    for (int k = 0; k < 3; ++k) s[rng() % s.size()] = alphabet[rng() % alphabet.size()];
    auto r = pm::decode_response(s);
    if (auto* e = std::get_if<pm::DecodeError>(&r)) BOOST_TEST(e->offset <= s.size());
  }
}

BOOST_AUTO_TEST_CASE(truncated_at_every_byte) {
  for (const char* body : {kVector, kMatrix, kScalar, kString, kErrorEnvelope}) {
    std::string_view full(body);
    BOOST_TEST_CONTEXT(full) {
      for (std::size_t n = 0; n < full.size(); ++n) {
        auto r = pm::decode_response(full.substr(0, n));
        BOOST_TEST_CONTEXT("prefix of " << n << " bytes") {
          BOOST_REQUIRE(std::holds_alternative<pm::DecodeError>(r));
          const auto& e = std::get<pm::DecodeError>(r);
          BOOST_TEST(e.offset <= n);
          BOOST_TEST(!e.message.empty());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(truncated_message_is_clear) {
  std::string full = kVector;
  auto e = bad(pm::decode_response(full.substr(0, full.size() - 3)));
  BOOST_TEST(e.message.find("truncated JSON: 3 arrays or objects not closed") == 0u, e.message);
  BOOST_TEST(e.offset == full.size() - 3);
  auto e1 = bad(pm::decode_response(full.substr(0, full.size() - 1)));
  BOOST_TEST(e1.message.find("truncated JSON: 1 array or object not closed") == 0u, e1.message);
  BOOST_TEST(e1.offset == full.size() - 1);
  std::string cut_in_string = full.substr(0, full.find("localhost") + 4);
  auto e2 = bad(pm::decode_response(cut_in_string));
  BOOST_TEST(e2.message == "truncated JSON: unclosed string");
  BOOST_TEST(e2.offset == full.find("localhost") - 1);
}

BOOST_AUTO_TEST_CASE(deeply_nested) {
  for (std::size_t depth : {100u, 2000u, 100000u}) {
    std::string arrays(depth, '[');
    expect_some_error(arrays);
    expect_some_error(arrays + std::string(depth, ']'));
    std::string objects;
    for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    expect_some_error(objects);
    // Nested inside a label value, the result and an unknown field.
    expect_some_error(
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":)" + arrays);
    std::string closed = arrays + std::string(depth, ']');
    expect_some_error(R"({"status":"success","data":{"resultType":"vector","result":)" + closed +
                      "}}");
    auto r = pm::decode_response(R"({"status":"success","stats":)" + closed +
                                 R"(,"data":{"resultType":"vector","result":[]}})");
    // Skipped unknown fields may nest as deep as simdjson allows; deeper ones are an error.
    if (depth < 1000) {
      BOOST_TEST(std::holds_alternative<pm::QueryResult>(r));
    } else if (auto* e = std::get_if<pm::DecodeError>(&r)) {
      BOOST_TEST(e->offset <= 40 + closed.size());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scale)

BOOST_AUTO_TEST_CASE(hundred_thousand_series) {
  std::string body = R"({"status":"success","data":{"resultType":"vector","result":[)";
  for (int i = 0; i < 100000; ++i) {
    if (i) body += ',';
    body +=
        R"({"metric":{"__name__":"container_memory_working_set_bytes","container":"app","namespace":"ns-)" +
        std::to_string(i % 50) + R"(","pod":"pod-)" + std::to_string(i) +
        R"("},"value":[1700000000.123,")" + std::to_string(i) + ".5\"]}";
  }
  body += "]}}";
  const std::size_t size = body.size();
  std::string owned;
  owned.reserve(size + pm::decode_padding());
  owned = body;
  pm::Decoder decoder;
  auto r = decoder.decode(std::move(owned));
  const auto& q = ok(r);
  BOOST_REQUIRE(q.size() == 100000u);
  BOOST_TEST(*q[99999].labels.get("pod") == "pod-99999");
  BOOST_TEST(q[99999].samples[0].value == 99999.5);
  BOOST_TEST(q[12345].samples[0].time_ms == 1700000000123);
  // Body, 16 bytes a label, 16 a sample, 16 a series: well under twice the body.
  BOOST_TEST(q.memory_bytes() < size * 2, q.memory_bytes()
                                              << " bytes held for a " << size << "-byte body");
  // The decoder is reusable, and results outlive it (they own their buffer).
  pm::QueryResult moved;
  {
    pm::Decoder other;
    auto again = other.decode(std::string_view(body));
    moved = std::move(std::get<pm::QueryResult>(again));
  }
  BOOST_TEST(*moved[42].labels.get("pod") == "pod-42");
}

BOOST_AUTO_TEST_SUITE_END()
