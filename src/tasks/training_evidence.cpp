// Training loop of the evidence-accumulation task (SPEC 11.3).

#include "eprop/error.h"
#include "tasks/training_session.h"

namespace eprop::tasks {

std::unique_ptr<TrainingSession> make_evidence_session(const TrainConfig& /*config*/) {
  throw ConfigError("evidence: training is not available yet");
}

}  // namespace eprop::tasks
