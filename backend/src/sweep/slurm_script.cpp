// SPDX-License-Identifier: GPL-3.0-or-later
// The Slurm array script of a sweep: one array task per planned run; each task writes its own SQLite
// shard (SQLite must not be shared over a network file system) and runs that planned run and its
// branches through `anneal-cli sweep --only`, which resumes or skips what a requeued task already did.
#include <sstream>

#include "anneal/sweep.h"

namespace anneal {

namespace {
std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}
}  // namespace

std::string slurmScript(const SweepPlan& plan, const std::string& dir, const std::string& cliPath) {
    const SweepResources& r = plan.resources;
    std::ostringstream os;
    os << "#!/bin/bash\n"
       << "# Written by anneal-cli sweep --slurm for the plan \"" << plan.name << "\" (" << plan.runs.size()
       << " runs). Submit with: sbatch " << dir << "/sweep.sbatch\n"
       << "# Then merge the shards: anneal-cli merge " << dir << "/shards/*.db --db lab.db\n"
       << "#SBATCH --job-name=" << plan.name << "\n"
       << "#SBATCH --array=0-" << (plan.runs.empty() ? 0 : plan.runs.size() - 1) << "\n"
       << "#SBATCH --output=" << dir << "/logs/%a.out\n"
       << "#SBATCH --error=" << dir << "/logs/%a.err\n"
       << "#SBATCH --time=" << r.time << "\n"
       << "#SBATCH --cpus-per-task=" << r.cpusPerTask << "\n"
       << "#SBATCH --mem=" << r.mem << "\n";
    if (r.gpus > 0) {
        os << "#SBATCH --gres=gpu:" << r.gpus << "\n";
    }
    if (!r.partition.empty()) {
        os << "#SBATCH --partition=" << r.partition << "\n";
    }
    if (!r.account.empty()) {
        os << "#SBATCH --account=" << r.account << "\n";
    }
    os << "set -euo pipefail\n"
       << "export OPENBLAS_NUM_THREADS=1\n"
       << "cli=${ANNEAL_CLI:-" << shellQuote(cliPath) << "}\n"
       << "i=$(printf %04d \"$SLURM_ARRAY_TASK_ID\")\n"
       << "exec \"$cli\" sweep " << shellQuote(dir + "/plan/plan.toml") << " --db "
       << shellQuote(dir) + "\"/shards/$i.db\""
       << " --only \"$SLURM_ARRAY_TASK_ID\" --jobs 1 --threads " << r.cpusPerTask << "\n";
    return os.str();
}

}  // namespace anneal
