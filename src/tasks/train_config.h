#pragma once

// Configuration of `eprop train` (docs/user/training.md): one schema per task, a TOML file with
// tables [run], [data], [network], [recurrent], [optimizer], [training], [recording], and
// `--set key=value` overrides on top. Every field defaults to the setting of the NEST example of
// SPEC 11 (data.numpy_compatible = true also draws the example's random numbers); all fields are
// validated at once, and every error names the file (or the --set argument), the key, the value
// and the constraint.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "eprop/spec.h"

namespace eprop::tasks {

/// A scalar config value: TOML integer, float, boolean or string.
using ConfigScalar = std::variant<std::int64_t, double, bool, std::string>;

enum class FieldKind { integer, number, boolean, string };

/// One documented config key.
struct ConfigField {
  std::string key;  ///< "table.name"
  FieldKind kind = FieldKind::number;
  ConfigScalar fallback;    ///< default (for model-dependent defaults: the event-driven one)
  std::string default_doc;  ///< how the default is shown in docs when it is not a constant
  std::string doc;
  std::optional<double> min;  ///< numeric bounds (integer and number fields)
  std::optional<double> max;
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::vector<std::string> choices;  ///< allowed strings (empty: any)
};

/// A resolved configuration: every key of the task's schema has a value.
struct TrainConfig {
  std::string task;    ///< "sine", "evidence" or "nmnist"
  std::string origin;  ///< where it came from, for messages
  /// `eprop train --estimate`: building the network throws MemoryEstimateReport instead.
  bool estimate_only = false;
  std::map<std::string, ConfigScalar> values;
  /// Keys given by the file or by --set (the others hold defaults).
  std::set<std::string> explicit_keys;
  /// Further NEST parameters of the recurrent neurons ("recurrent.<name>" keys outside the
  /// schema), passed to the network as they are; the engine validates name and value.
  std::map<std::string, ParamValue> recurrent_params;

  [[nodiscard]] std::int64_t integer(std::string_view key) const;
  [[nodiscard]] double number(std::string_view key) const;
  [[nodiscard]] bool boolean(std::string_view key) const;
  [[nodiscard]] const std::string& string(std::string_view key) const;
  [[nodiscard]] bool is_explicit(std::string_view key) const;
  [[nodiscard]] Precision precision() const;
};

/// The tasks `eprop train` knows, in documentation order.
[[nodiscard]] const std::vector<std::string>& train_tasks();

/// The schema of one task (throws ConfigError for an unknown task).
[[nodiscard]] const std::vector<ConfigField>& config_fields(std::string_view task);

/// A named set of `key=value` settings of one task (`eprop train TASK --preset NAME`).
struct TrainPreset {
  std::string name;
  std::string doc;
  std::vector<std::string> settings;
};

/// The presets of a task, in documentation order (may be empty).
[[nodiscard]] const std::vector<TrainPreset>& train_presets(std::string_view task);

/// The settings of preset `name` of `task`; throws ConfigError naming the task's presets.
[[nodiscard]] const std::vector<std::string>& preset_settings(std::string_view task,
                                                              std::string_view name);

/// One model family of a task (`eprop compare TASK`): its name ("e-prop+" = NEST's event-driven
/// models, "original" = the `_bsshslm_2020` models) and the settings that select it.
struct TaskFamily {
  std::string name;
  std::string doc;
  std::vector<std::string> settings;
};

/// The families `task` can run in, e-prop+ first (one entry where only one exists so far).
[[nodiscard]] const std::vector<TaskFamily>& task_families(std::string_view task);

/// Parses `toml_text` (may be empty) and then the `key=value` overrides, validates every value and
/// fills the defaults. `origin` names the text in messages ("sine.toml"). Throws ConfigError.
[[nodiscard]] TrainConfig parse_train_config(std::string_view task, std::string_view toml_text,
                                             const std::string& origin,
                                             const std::vector<std::string>& overrides = {});

/// Reads `path` (if given) and parses it with the overrides.
[[nodiscard]] TrainConfig read_train_config(std::string_view task,
                                            const std::optional<std::string>& path,
                                            const std::vector<std::string>& overrides = {});

/// The resolved configuration as TOML text: `task = ...` and every key of the schema, defaults
/// included, plus the extra recurrent parameters. Numbers round-trip exactly.
[[nodiscard]] std::string to_toml(const TrainConfig& config);

/// Text of a scalar as TOML writes it.
[[nodiscard]] std::string format_scalar(const ConfigScalar& value);

/// Reference text of a task's keys (`eprop train --help` and docs/user/training.md).
[[nodiscard]] std::string describe_config(std::string_view task);

}  // namespace eprop::tasks
