#include "io/toml_reader.h"

#include "eprop/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <utility>

namespace eprop::io {

namespace {

constexpr std::size_t max_value_text = 72;

std::optional<double> as_number(const toml::node& node) {
  if (node.is_integer()) return static_cast<double>(node.as_integer()->get());
  if (node.is_floating_point()) return node.as_floating_point()->get();
  return std::nullopt;
}

std::string allowed_list(std::initializer_list<std::string_view> allowed) {
  std::string text;
  for (std::string_view key : allowed) {
    if (!text.empty()) text += ", ";
    text += key;
  }
  return text;
}

}  // namespace

namespace {

void append_value(std::string& out, const toml::node& node) {
  if (node.is_string()) {
    out += fmt::format("'{}'", node.as_string()->get());
  } else if (node.is_integer()) {
    out += fmt::format("{}", node.as_integer()->get());
  } else if (node.is_floating_point()) {
    // Shortest round-trip form, keeping a decimal point so 1.0 does not read as an integer.
    std::string text = fmt::format("{}", node.as_floating_point()->get());
    if (text.find_first_of(".eEni") == std::string::npos) text += ".0";
    out += text;
  } else if (node.is_boolean()) {
    out += node.as_boolean()->get() ? "true" : "false";
  } else if (const toml::array* array = node.as_array()) {
    out += '[';
    for (std::size_t i = 0; i < array->size() && out.size() < max_value_text; ++i) {
      if (i > 0) out += ", ";
      append_value(out, (*array)[i]);
    }
    out += ']';
  } else if (const toml::table* table = node.as_table()) {
    out += "{ ";
    bool first = true;
    for (auto&& [key, value] : *table) {
      if (out.size() >= max_value_text) break;
      out += fmt::format("{}{} = ", first ? "" : ", ", key.str());
      append_value(out, value);
      first = false;
    }
    out += " }";
  } else {
    std::ostringstream os;
    os << toml::node_view<const toml::node>{node};
    out += os.str();
  }
}

}  // namespace

std::string describe(const toml::node& node) {
  std::string text;
  append_value(text, node);
  if (text.size() > max_value_text) text = text.substr(0, max_value_text - 3) + "...";
  return text;
}

std::string describe(const ParsedArray& array) {
  std::string text;
  const auto append_row = [&text](const std::vector<double>& row) {
    text += '[';
    for (std::size_t i = 0; i < row.size() && text.size() < max_value_text; ++i) {
      text += fmt::format("{}{}", i > 0 ? ", " : "", row[i]);
    }
    text += ']';
  };
  if (array.rank == 1) {
    append_row(array.rows[0]);
  } else {
    text += '[';
    for (std::size_t r = 0; r < array.rows.size() && text.size() < max_value_text; ++r) {
      if (r > 0) text += ", ";
      append_row(array.rows[r]);
    }
    text += ']';
  }
  if (text.size() > max_value_text) text = text.substr(0, max_value_text - 3) + "...";
  return text;
}

void throw_at(const TableContext& context, std::string_view message, const toml::node* where) {
  std::string text = context.label.empty()
                         ? fmt::format("{}: {}", context.origin, message)
                         : fmt::format("{}: {}: {}", context.origin, context.label, message);
  if (where != nullptr && where->source().begin.line > 0) {
    text += fmt::format(" (line {})", where->source().begin.line);
  }
  throw ConfigError(text);
}

TableReader::TableReader(const toml::table& table, TableContext context,
                         std::initializer_list<std::string_view> allowed)
    : table_(table), context_(std::move(context)) {
  for (auto&& [key, value] : table_) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      throw_at(context_,
               fmt::format("unknown field '{}{}' (allowed: {})", context_.prefix, key.str(),
                           allowed_list(allowed)),
               &value);
    }
  }
}

const toml::node* TableReader::node(std::string_view key) const {
  return table_.get(key);
}

void TableReader::fail(std::string_view key, std::string_view constraint) const {
  const toml::node* where = node(key);
  std::string value = where != nullptr ? describe(*where) : std::string("(absent)");
  if (const ParsedArray* array = parsed(key)) value = describe(*array);
  throw_at(context_, fmt::format("field '{}{}' = {} {}", context_.prefix, key, value, constraint),
           where);
}

void TableReader::fail_missing(std::string_view key, std::string_view what) const {
  throw_at(context_, fmt::format("missing required field '{}{}' ({})", context_.prefix, key, what),
           nullptr);
}

std::optional<double> TableReader::number(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  auto value = as_number(*n);
  if (!value) fail(key, "must be a number");
  return value;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_integer()) fail(key, "must be an integer");
  return n->as_integer()->get();
}

std::optional<bool> TableReader::boolean(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_boolean()) fail(key, "must be true or false");
  return n->as_boolean()->get();
}

std::optional<std::string> TableReader::string(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) fail(key, "must be a string");
  return n->as_string()->get();
}

std::optional<std::vector<double>> TableReader::number_list(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_array()) fail(key, "must be a list of numbers");
  if (const ParsedArray* array = parsed(key)) {
    if (array->rank != 1) fail(key, "must be a list of numbers");
    return array->rows[0];
  }
  std::vector<double> values;
  for (const toml::node& element : *n->as_array()) {
    auto value = as_number(element);
    if (!value) fail(key, "must be a list of numbers");
    values.push_back(*value);
  }
  return values;
}

std::optional<std::vector<std::int64_t>> TableReader::integer_list(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_array()) fail(key, "must be a list of integers");
  std::vector<std::int64_t> values;
  if (const ParsedArray* array = parsed(key)) {
    if (array->rank != 1 || !array->all_integers) fail(key, "must be a list of integers");
    for (const double value : array->rows[0]) values.push_back(static_cast<std::int64_t>(value));
    return values;
  }
  for (const toml::node& element : *n->as_array()) {
    if (!element.is_integer()) fail(key, "must be a list of integers");
    values.push_back(element.as_integer()->get());
  }
  return values;
}

std::optional<std::vector<std::string>> TableReader::string_list(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_array() || parsed(key) != nullptr) fail(key, "must be a list of strings");
  std::vector<std::string> values;
  for (const toml::node& element : *n->as_array()) {
    if (!element.is_string()) fail(key, "must be a list of strings");
    values.push_back(element.as_string()->get());
  }
  return values;
}

std::optional<std::vector<std::vector<double>>> TableReader::number_lists(
    std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  constexpr std::string_view what = "must be a list of lists of numbers";
  if (!n->is_array()) fail(key, what);
  if (const ParsedArray* array = parsed(key)) {
    if (array->rank != 2) fail(key, what);
    return array->rows;
  }
  std::vector<std::vector<double>> lists;
  for (const toml::node& row : *n->as_array()) {
    if (!row.is_array()) fail(key, what);
    std::vector<double>& values = lists.emplace_back();
    for (const toml::node& element : *row.as_array()) {
      auto value = as_number(element);
      if (!value) fail(key, what);
      values.push_back(*value);
    }
  }
  return lists;
}

std::optional<NumberArray> TableReader::number_array(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return std::nullopt;
  NumberArray result;
  if (auto scalar = as_number(*n)) {
    result.values = {*scalar};
    return result;
  }
  constexpr std::string_view what = "must be a number, a list of numbers or a matrix of numbers";
  if (!n->is_array()) fail(key, what);
  const toml::array& outer = *n->as_array();
  const ParsedArray* array = parsed(key);
  const bool matrix = array != nullptr ? array->rank == 2 : !outer.empty() && outer[0].is_array();
  if (!matrix) {
    result.rank = 1;
    result.values = *number_list(key);
    result.rows = result.values.size();
    return result;
  }
  auto rows = *number_lists(key);
  result.rank = 2;
  result.rows = rows.size();
  result.cols = rows[0].size();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != result.cols) {
      fail(key,
           fmt::format("must be a rectangular matrix, but row {} has {} values and row 0 has {}", r,
                       rows[r].size(), result.cols));
    }
    result.values.insert(result.values.end(), rows[r].begin(), rows[r].end());
  }
  return result;
}

const toml::table* TableReader::table(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr) return nullptr;
  if (!n->is_table()) fail(key, "must be a table");
  return n->as_table();
}

std::vector<const toml::table*> TableReader::tables(std::string_view key) const {
  const toml::node* n = node(key);
  std::vector<const toml::table*> result;
  if (n == nullptr) return result;
  const std::string what = fmt::format("must be an array of tables (write [[{}]])", key);
  if (!n->is_array() || parsed(key) != nullptr) fail(key, what);
  for (const toml::node& element : *n->as_array()) {
    if (!element.is_table()) fail(key, what);
    result.push_back(element.as_table());
  }
  return result;
}

TableContext TableReader::nested(std::string_view key) const {
  return TableContext{context_.origin, context_.label, fmt::format("{}{}.", context_.prefix, key),
                      context_.arrays};
}

const ParsedArray* TableReader::parsed(std::string_view key) const {
  const toml::node* n = node(key);
  if (n == nullptr || context_.arrays == nullptr || !n->is_array()) return nullptr;
  const toml::source_position at = n->source().begin;
  const auto it = context_.arrays->find({at.line, at.column});
  return it == context_.arrays->end() ? nullptr : &it->second;
}

}  // namespace eprop::io
