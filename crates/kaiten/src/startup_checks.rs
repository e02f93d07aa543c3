//! Settings checked before anything starts. A secret that is set but blank, or too short to be
//! a key, stops the start with a message naming it: an empty `KAITEN_JWT_SECRET` once let
//! anyone sign tokens with the empty key.

use anyhow::bail;
use kaiten_kernel::secret;

use crate::cli::ServeArgs;

pub fn check(args: &ServeArgs) -> anyhow::Result<()> {
    key("KAITEN_JWT_SECRET", args.jwt_secret.as_deref())?;
    key("KAITEN_SECRET_KEY", args.webhooks.secret_key.as_deref())?;
    // A whsec_ secret's length is checked when it is parsed; blank is said here.
    present("KAITEN_CLERK_WEBHOOK_SECRET", args.webhooks.clerk_webhook_secret.as_deref())?;
    present("KAITEN_JWKS_URL", args.jwks_url.as_deref())?;
    present("KAITEN_JWT_ISSUER", args.jwt_issuer.as_deref())?;
    present("KAITEN_JWT_AUDIENCE", args.jwt_audience.as_deref())?;
    Ok(())
}

fn key(name: &str, value: Option<&str>) -> anyhow::Result<()> {
    match value.map(secret::check_configured) {
        Some(Err(weak)) => bail!("{name} cannot be used: {weak}"),
        _ => Ok(()),
    }
}

fn present(name: &str, value: Option<&str>) -> anyhow::Result<()> {
    match value {
        Some(v) if v.trim().is_empty() => bail!("{name} is set but empty; unset it or give it a value"),
        _ => Ok(()),
    }
}
