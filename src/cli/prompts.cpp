#include "cli/prompts.hpp"

#include "cli/interrupt.hpp"
#include "cli/progress.hpp"

#include <iostream>

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace ms::cli {

namespace {

// Waits for a line on fd, answering Ctrl-C at once: false when interrupted.
bool wait_readable(int fd) {
    for (pollfd in{fd, POLLIN, 0}; ::poll(&in, 1, 200) <= 0;)
        if (interrupted()) return false;
    return true;
}

}  // namespace

bool ask_before_dropping(const Table& destructive) {
    std::string text = "pg_migrate: these down scripts drop data:";
    for (const auto& row : destructive.rows)
        text += "\n  " + row[0].value_or("") + " (" + row[1].value_or("") + "): " +
                row[2].value_or("");
    progress_to_stderr("")(text);
    std::cerr << "Roll back anyway? [y/N] " << std::flush;
    if (!wait_readable(STDIN_FILENO)) return false;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES";
}

std::optional<std::string> ask_password() {
    // The terminal itself, as psql does: stdin may be a script.
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0) return std::nullopt;
    termios saved{};
    const bool is_terminal = tcgetattr(tty, &saved) == 0;
    if (is_terminal) {
        termios quiet = saved;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    const char prompt[] = "Password: ";
    ssize_t ignored = ::write(tty, prompt, sizeof prompt - 1);
    std::optional<std::string> password;
    if (wait_readable(tty)) {
        std::string line;
        char c;
        while (::read(tty, &c, 1) == 1 && c != '\n') line += c;
        password = std::move(line);
    }
    if (is_terminal) tcsetattr(tty, TCSAFLUSH, &saved);
    ignored = ::write(tty, "\n", 1);
    (void)ignored;
    ::close(tty);
    return password;
}

}  // namespace ms::cli
