// SPDX-License-Identifier: GPL-3.0-or-later
#include "sweep_spawn.h"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include "anneal/error.h"

extern char** environ;

namespace anneal::cli {

std::vector<std::string> childEnvironment(const std::string& gpu) {
    std::vector<std::string> env;
    bool haveOrder = false;
    for (char** e = environ; *e != nullptr; ++e) {
        if (!gpu.empty() && std::strncmp(*e, "CUDA_VISIBLE_DEVICES=", 21) == 0) {
            continue;
        }
        haveOrder = haveOrder || std::strncmp(*e, "CUDA_DEVICE_ORDER=", 18) == 0;
        env.emplace_back(*e);
    }
    if (!gpu.empty()) {
        env.push_back("CUDA_VISIBLE_DEVICES=" + gpu);
        if (!haveOrder) {
            env.emplace_back("CUDA_DEVICE_ORDER=PCI_BUS_ID");
        }
    }
    return env;
}

pid_t spawnRun(std::vector<std::string> args, const std::string& outFile, const std::string& gpu) {
    if (const char* w = std::getenv("ANNEAL_SWEEP_WRAPPER"); w != nullptr && *w != '\0') {
        args.insert(args.begin(), w);
    }
    std::vector<std::string> env = childEnvironment(gpu);
    std::vector<char*> envp;
    for (auto& e : env) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        throw Error(ErrorCode::Io, "cannot start " + args[0] + ": " + std::strerror(rc));
    }
    return pid;
}

}  // namespace anneal::cli
