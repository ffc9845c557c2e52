use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    claims::store::tune_libgit2();
    let cli = claims::cli::Cli::parse();
    match claims::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if !error.message.is_empty() {
                eprint!("{error}");
            }
            ExitCode::from(error.code)
        }
    }
}
