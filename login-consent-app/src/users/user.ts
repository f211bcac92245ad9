/** A person who can sign in. `id` is the OpenID Connect `sub`: stable, never reassigned, not the e-mail (which may change). */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly username: string;
  readonly emailVerified: boolean;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

/** E-mail addresses are compared trimmed and lower-cased, so `Foo@Bar.com ` finds `foo@bar.com`. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
