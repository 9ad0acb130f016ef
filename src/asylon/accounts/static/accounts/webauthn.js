// Security keys and passkeys (WebAuthn). The server sends the options as JSON, with base64url
// text where the browser wants bytes; the browser's answer goes back as JSON in the hidden
// `credential` field of the button's form, which then posts like any other form.
"use strict";

(function () {
  function bytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function text(buffer) {
    let binary = "";
    for (const b of new Uint8Array(buffer)) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
  }

  function creationOptions(json) {
    return {
      ...json,
      challenge: bytes(json.challenge),
      user: { ...json.user, id: bytes(json.user.id) },
      excludeCredentials: withIds(json.excludeCredentials),
    };
  }

  function requestOptions(json) {
    return { ...json, challenge: bytes(json.challenge), allowCredentials: withIds(json.allowCredentials) };
  }

  function answer(credential) {
    const r = credential.response;
    const response = { clientDataJSON: text(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = text(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = text(r.authenticatorData);
      response.signature = text(r.signature);
      if (r.userHandle) response.userHandle = text(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
    });
  }

  async function ceremony(button) {
    const form = button.form;
    const error = form.querySelector("[data-webauthn-error]");
    error.hidden = true;
    // On the re-authentication page the password goes with the key's answer.
    if (!form.reportValidity()) return;
    try {
      const reply = await fetch(button.dataset.options, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      });
      if (!reply.ok) throw new Error("options refused: " + reply.status);
      const options = await reply.json();
      const credential =
        button.dataset.webauthn === "create"
          ? await navigator.credentials.create({ publicKey: creationOptions(options) })
          : await navigator.credentials.get({ publicKey: requestOptions(options) });
      form.elements.credential.value = answer(credential);
      form.submit();
    } catch (failure) {
      error.textContent = button.dataset.failed;
      error.hidden = false;
    }
  }

  if (!window.PublicKeyCredential) return;
  for (const button of document.querySelectorAll("button[data-webauthn]")) {
    button.hidden = false;
    button.addEventListener("click", () => ceremony(button));
  }
})();
