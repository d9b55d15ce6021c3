use std::process::ExitCode;

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};

use suits::audit::Actor;
use suits::config::Config;
use suits::{api, bootstrap, db, lifecycle, openapi, request_id, AppState};

/// Suits: the back-end of an advertising agency's account services department.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API (the default).
    Serve,
    /// Apply pending migrations and seed the built-in roles, then exit.
    Migrate,
    /// Print the OpenAPI document (the content of openapi/openapi.json).
    Openapi,
    /// Create a staff member; prints a generated password unless one is given.
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// A role key, e.g. account_manager.
        #[arg(long)]
        role: String,
        /// At least 12 characters; read from SUITS_STAFF_PASSWORD when not given.
        #[arg(long, env = "SUITS_STAFF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long)]
        reports_to: Option<i64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", openapi::to_pretty(&openapi::document()));
        return ExitCode::SUCCESS;
    }
    request_id::init_logger();
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("suits: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Connects, migrates and seeds: what every command but `openapi` needs first.
fn prepare(config: &Config) -> Result<db::Pool, String> {
    log::info!(
        "database: {} ({})",
        config.database.display(),
        config.database.backend()
    );
    let pool = db::connect(&config.database, &config.pool)?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot get a database connection: {e}"))?;
    let generated = bootstrap::prepare_database(&mut conn, config)
        .map_err(|e| format!("cannot prepare the database: {e}"))?;
    if let Some(password) = generated {
        // Printed once, on stdout, whatever the log level: there is no other way to learn it.
        println!(
            "Created the first admin {} with the generated password: {password}\n\
             Keep it now; it is not stored anywhere in clear and will not be shown again.",
            config.admin_email
        );
    }
    Ok(pool)
}

fn run(command: Command) -> Result<(), String> {
    let config = Config::from_env()?;
    match command {
        Command::Openapi => unreachable!("handled before logging starts"),
        Command::Migrate => prepare(&config).map(|_| log::info!("database is up to date")),
        Command::CreateStaff {
            email,
            name,
            role,
            password,
            reports_to,
        } => {
            let pool = prepare(&config)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let (password, generated) = match password {
                Some(p) => {
                    suits::auth::password::long_enough(&p)
                        .map_err(|rule| format!("the password {rule}"))?;
                    (p, false)
                }
                None => (suits::auth::password::generate(), true),
            };
            let staff = api::staff::service::insert(
                &mut conn,
                &Actor::system("cli"),
                None,
                &email,
                &name,
                &role,
                reports_to,
                &password,
            )
            .map_err(|e| {
                let problem = e.problem();
                let fields: Vec<String> = problem
                    .errors
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect();
                if fields.is_empty() {
                    problem.detail
                } else {
                    fields.join("; ")
                }
            })?;
            println!(
                "created staff member {} <{}> with role {}",
                staff.id, staff.email, staff.role
            );
            if generated {
                println!("generated password: {password}");
            }
            Ok(())
        }
        Command::Serve => serve(config),
    }
}

fn serve(config: Config) -> Result<(), String> {
    if !config.jwt_secret_configured {
        log::warn!(
            "SUITS_JWT_SECRET is not set: using a random secret for this process only; \
             tokens will not survive a restart or work across instances"
        );
    }
    let pool = prepare(&config)?;
    let state = web::Data::new(AppState::new(pool, &config));
    let bind = config.bind.clone();
    // Database work runs on each worker's blocking threads, one connection each at most;
    // threads beyond the pool could only wait for a connection, each keeping its own
    // allocator arena. So together they are as many as the pool has connections.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let blocking_threads = (config.pool.max_size as usize).div_ceil(workers).max(1);
    let shutdown = config.shutdown;
    actix_web::rt::System::new().block_on(async move {
        let signals = lifecycle::Signals::install()
            .map_err(|e| format!("cannot handle SIGTERM and SIGINT: {e}"))?;
        let app_state = state.clone();
        let server = HttpServer::new(move || suits::app(app_state.clone()))
            .workers(workers)
            .worker_max_blocking_threads(blocking_threads)
            // Signals are ours (`lifecycle`): actix would stop accepting at once, before a
            // balancer has stopped sending.
            .disable_signals()
            .shutdown_timeout(shutdown.timeout.as_secs())
            .bind(&bind)
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        // The bound address, not the configured one: port 0 picks a free port.
        for addr in server.addrs() {
            log::info!("listening on http://{addr} (docs at http://{addr}/docs/)");
        }
        lifecycle::serve_until_stopped(server.run(), signals, state, shutdown)
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}
