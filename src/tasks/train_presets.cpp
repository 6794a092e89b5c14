// Named settings of `eprop train` tasks (--preset) and the model families of each task
// (`eprop compare`). Both are lists of `key=value` settings of the task's schema
// (train_schema.cpp), so they are validated like any --set.

#include <string>
#include <vector>

#include "eprop/error.h"
#include "tasks/train_config.h"

namespace eprop::tasks {

const std::vector<TrainPreset>& train_presets(std::string_view task) {
  static const std::vector<TrainPreset> none;
  static const std::vector<TrainPreset> nmnist{
      {"best",
       "the best nmnist-small result found: 83 % test accuracy (docs/user/training.md)",
       {"run.precision=float", "network.n_rec=300", "network.sparsity_in_rec=0",
        "optimizer.eta=5e-7", "training.nest_generator_reset=false", "training.n_iter_train=50",
        "training.n_iter_test=1"}},
  };
  return task == "nmnist" ? nmnist : none;
}

const std::vector<std::string>& preset_settings(std::string_view task, std::string_view name) {
  const std::vector<TrainPreset>& presets = train_presets(task);
  std::string known;
  for (const TrainPreset& p : presets) {
    if (p.name == name) return p.settings;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  throw ConfigError("--preset " + std::string(name) + ": task '" + std::string(task) + "' has " +
                    (known.empty() ? "no presets" : "the presets " + known));
}

const std::vector<TaskFamily>& task_families(std::string_view task) {
  static const std::vector<TaskFamily> sine{
      {"e-prop+",
       "eprop_iaf (SPEC 11.1, NEST's event-driven example)",
       {"network.model=eprop_iaf"}},
      {"original", "eprop_iaf_bsshslm_2020 (SPEC 11.2)", {"network.model=eprop_iaf_bsshslm_2020"}},
  };
  static const std::vector<TaskFamily> original_only{
      {"original", "the _bsshslm_2020 models (the only family of this task so far)", {}}};
  static const std::vector<TaskFamily> event_driven_only{
      {"e-prop+", "the event-driven models (the only family of this task so far)", {}}};
  if (task == "sine") return sine;
  if (task == "nmnist") return event_driven_only;
  static_cast<void>(config_fields(task));  // throws for an unknown task
  return original_only;
}

}  // namespace eprop::tasks
