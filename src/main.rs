use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    claims::store::tune_libgit2();
    let cli = claims::cli::Cli::parse();
    match claims::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Error messages quote input: shown escaped, as all output is (see `Ui`).
            eprint!("{}", claims::controls::escape(&error.to_string()));
            ExitCode::from(error.exit_code())
        }
    }
}
