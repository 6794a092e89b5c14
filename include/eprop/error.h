#pragma once

#include <stdexcept>
#include <string>

namespace eprop {

/// Base of every error the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Invalid user input: a network description, a parameter, a config file.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// Invalid or unreadable data: dataset files, checkpoints.
class DataError : public Error {
 public:
  using Error::Error;
};

/// A simulate() call stopped early because its interrupt flag was set (Ctrl-C, SIGTERM); the
/// simulation stands somewhere inside the call and is good only for being discarded.
class Interrupted : public Error {
 public:
  using Error::Error;
};

/// Failure while exchanging data between ranks.
class CommError : public Error {
 public:
  using Error::Error;
};

}  // namespace eprop
