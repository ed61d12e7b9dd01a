// First, so that it runs before intake-input builds its schemas.
import "./zod-jitless.client";

/**
 * The request form's checks in the browser: those of the server
 * (app/services/intake-input.ts), which the form page loads only once the
 * person starts filling it in.
 */
export { fieldErrors, IntakeInput, intakeFromForm } from "../services/intake-input";
